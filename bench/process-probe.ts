// Preloaded into the benchmark's server processes (node --expose-gc --import), answering the
// benchmark's questions over IPC:
// - 'memory': collects garbage, then answers with the process's memory, so a delta counts what is
//   still held, not what is waiting to be collected;
// - 'cpu': the CPU time the process has used so far (all its threads, user and system), so a
//   delta over a load divided by its requests is what one request costs the server, a figure that
//   depends far less on what else the machine runs than a rate does.
const collectGarbage = (globalThis as { gc?: () => void }).gc;

process.on('message', (message) => {
  if (!process.send) return;
  if (message === 'memory') {
    collectGarbage?.();
    const { rss, heapUsed } = process.memoryUsage();
    process.send({ rss, heapUsed });
  } else if (message === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send({ cpuMicros: user + system });
  }
});
// The channel alone must not keep the process running once the server has closed.
process.channel?.unref();
