// Loopback servers for tests: listen on 127.0.0.1, port 0, and an origin where nothing listens.
import { createServer, type RequestListener, type Server } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';

export interface LocalServer {
  server: Server;
  /** http://127.0.0.1:<port>, no trailing slash. */
  url: string;
  port: number;
  /** Closes the server, dropping open connections (hanging requests included). */
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 on a port the system picks; `handler` may be added later with 'request'. */
export async function listenLocal(handler?: RequestListener): Promise<LocalServer> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    port,
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A loopback address of the caller's own, 127.x.y.z at random (Linux answers on all of
 * 127.0.0.0/8). Test files run in parallel and every server they open listens on 127.0.0.1, so a
 * port on this address stays free even while a test keeps it closed on purpose.
 */
export function privateLoopbackHost(): string {
  const byte = () => 1 + Math.floor(Math.random() * 254);
  return `127.${byte()}.${byte()}.${byte()}`;
}

/** A port free on `host`: the system picks it, and a server just listened there and closed. */
export async function freePort(host: string): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** An http origin where nothing listens, on a private loopback host: connections are refused. */
export async function refusedOrigin(): Promise<string> {
  const host = privateLoopbackHost();
  return `http://${host}:${await freePort(host)}`;
}
