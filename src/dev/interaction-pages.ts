// The dev provider's sign-in and consent pages. Each page's first form is the one that answers the
// interaction (test/support/dev-login.ts reads it): POST /interaction/:uid with a hidden `prompt`.
import { html, join, type Page, type SafeHtml } from './send-page.ts';

/** What the pages show about a pending interaction. */
export interface InteractionView {
  uid: string;
  clientId: string;
  clientName?: string | undefined;
  /** The scopes the client asked for, as in the authorization request. */
  scopes: string[];
  redirectUri?: string | undefined;
  /** Who is signed in (consent only). */
  accountId?: string | undefined;
}

export const maxLoginLength = 64;

// Plain words for the scopes the dev provider knows; any other scope is shown as it is.
const scopeDescriptions: Record<string, string> = {
  openid: 'Know who you are (your user ID)',
  profile: 'Your profile (name)',
  email: 'Your email address',
  offline_access: 'Stay signed in (offline access)',
  'api:read': 'Read the demo API',
};

export function loginPage(view: InteractionView, problem?: string): Page {
  return {
    title: 'Sign in to the development provider',
    body: html`
      <p class="lead">to continue to ${application(view)}</p>
      <div class="callout">
        <svg class="callout__icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <circle cx="12" cy="12" r="9"/><path d="M12 11v5m0-8h.01"/>
        </svg>
        <p><strong>Development provider — any username and password work.</strong>
        The username becomes your user ID (<code>sub</code>); the password is ignored.</p>
      </div>
      <form class="form" method="post" action="${submitPath(view)}">
        <input type="hidden" name="prompt" value="login">
        ${problem ? html`<p class="form__problem" id="login-problem" role="alert">${problem}</p>` : ''}
        <div class="field">
          <label for="login">Username</label>
          <input id="login" name="login" type="text" value="" required maxlength="${maxLoginLength}"
            autocomplete="username" autocapitalize="none" spellcheck="false" autofocus
            placeholder="alice"${problem ? html` aria-describedby="login-problem"` : ''}>
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password"
            placeholder="Anything">
        </div>
        <div class="actions">
          <button class="button button--primary" type="submit">Sign in</button>
          <a class="button button--ghost" href="${abortPath(view)}">Cancel</a>
        </div>
      </form>`,
  };
}

export function consentPage(view: InteractionView): Page {
  return {
    title: 'Allow access?',
    body: html`
      <p class="lead">${application(view)} is asking for access to your account.</p>
      ${view.accountId ? html`<p class="account"><span class="avatar" aria-hidden="true">${initial(view.accountId)}</span><span>Signed in as <strong>${view.accountId}</strong></span></p>` : ''}
      <h2 class="subtitle">It will be able to</h2>
      <ul class="scopes">
        ${join(view.scopes.map(scopeItem))}
      </ul>
      <form class="form" method="post" action="${submitPath(view)}">
        <input type="hidden" name="prompt" value="consent">
        <div class="actions">
          <button class="button button--primary" type="submit">Allow</button>
          <a class="button button--ghost" href="${abortPath(view)}">Cancel</a>
        </div>
      </form>
      <p class="note">Either way you return to ${view.redirectUri ? html`<code>${view.redirectUri}</code>` : 'the application'}.
      Cancel answers <code>error=access_denied</code>.</p>`,
  };
}

function application(view: InteractionView): SafeHtml {
  return view.clientName
    ? html`<strong>${view.clientName}</strong> (<code>${view.clientId}</code>)`
    : html`<strong class="client-id">${view.clientId}</strong>`;
}

function scopeItem(scope: string): SafeHtml {
  return html`<li class="scope">
          <svg class="scope__icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="m5 12.5 4.5 4.5L19 7.5"/></svg>
          <span class="scope__text">${scopeDescriptions[scope] ?? scope}</span>
          <code class="scope__value">${scope}</code>
        </li>`;
}

function initial(accountId: string): string {
  return (Array.from(accountId.trim())[0] ?? '?').toUpperCase();
}

function submitPath(view: InteractionView): string {
  return `/interaction/${encodeURIComponent(view.uid)}`;
}

function abortPath(view: InteractionView): string {
  return `${submitPath(view)}/abort`;
}
