// Loopback servers for tests: listen on 127.0.0.1, port 0, and a port where nothing listens.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

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

/** A loopback port nothing listens on (a server just closed it): connections are refused. */
export async function closedPort(): Promise<number> {
  const { port, close } = await listenLocal();
  await close();
  return port;
}
