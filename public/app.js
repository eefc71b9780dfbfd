// Progressive enhancement for the pages: times in the reader's time zone, a live access-token
// countdown and dismissable notices. Every page works fully without this file.

/** "4 min 12 s", "1 h 5 min", "42 s": the same wording the server renders. */
function formatSpan(totalSeconds) {
  const seconds = Math.round(Math.abs(totalSeconds));
  const minutes = Math.floor(seconds / 60);
  if (minutes >= 60) return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  if (minutes > 0) return `${minutes} min ${seconds % 60} s`;
  return `${seconds} s`;
}

function localizeTimes() {
  for (const element of document.querySelectorAll('time[data-local-time]')) {
    const date = new Date(element.dateTime);
    if (Number.isNaN(date.getTime())) continue;
    element.title = element.textContent;
    element.textContent =
      element.dataset.localTime === 'time'
        ? date.toLocaleTimeString(undefined, {
            hour: '2-digit',
            minute: '2-digit',
            second: '2-digit',
          })
        : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
  }
}

function startCountdowns() {
  // The deadline comes from the server's seconds-left, so a skewed browser clock does not matter.
  const countdowns = [...document.querySelectorAll('[data-countdown]')].map((element) => ({
    element,
    deadline: Date.now() + Number(element.dataset.countdown) * 1000,
  }));
  if (countdowns.length === 0) return;

  const tick = () => {
    for (const { element, deadline } of countdowns) {
      const secondsLeft = Math.round((deadline - Date.now()) / 1000);
      // Only the access token expires here: the session stays signed in, and the server's
      // data-after-expiry says what the next API call does about it.
      element.textContent =
        secondsLeft > 0
          ? `expires in ${formatSpan(secondsLeft)}`
          : `expired ${formatSpan(secondsLeft)} ago, ${element.dataset.afterExpiry}`;
    }
  };
  tick();
  setInterval(tick, 1000);
}

function enableDismissButtons() {
  for (const button of document.querySelectorAll('[data-dismiss]')) {
    button.hidden = false;
    button.addEventListener('click', () => {
      button.closest('[data-dismissable]')?.remove();
      document.getElementById('main')?.focus({ preventScroll: true });
    });
  }
}

localizeTimes();
startCountdowns();
enableDismissButtons();
