// Preloaded into the benchmark's server processes (node --expose-gc --import): on the message
// 'memory' from the benchmark (IPC), collects garbage and answers with the process's memory, so
// a delta counts what is still held, not what is waiting to be collected.
const collectGarbage = (globalThis as { gc?: () => void }).gc;

process.on('message', (message) => {
  if (message !== 'memory' || !process.send) return;
  collectGarbage?.();
  const { rss, heapUsed } = process.memoryUsage();
  process.send({ rss, heapUsed });
});
// The channel alone must not keep the process running once the server has closed.
process.channel?.unref();
