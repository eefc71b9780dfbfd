// Preloaded into every test process (through test/support/preload.ts): a connection, fetch or DNS
// query for anything but loopback throws, naming the host, before a packet leaves the machine.
// Only Node processes load it; Chromium and redis-server are not affected.
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

class NetworkGuardError extends Error {
  readonly code = 'ERR_NETWORK_GUARD';

  constructor(what: string) {
    super(`Tests may reach only loopback (127.0.0.0/8, ::1, localhost): refused ${what}`);
    this.name = 'NetworkGuardError';
  }
}

const loopback = new net.BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** True for `localhost` and the loopback addresses (IPv6 ones with or without brackets). */
function isLoopback(host: string): boolean {
  const name = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const family = net.isIP(name);
  if (family === 0) return name === 'localhost';
  return loopback.check(name, family === 4 ? 'ipv4' : 'ipv6');
}

// Every TCP and TLS client (net, tls, http, undici's fetch, Redis) ends in Socket#connect.
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const target = tcpTargetOf(args);
  if (target && !isLoopback(target.host)) {
    throw new NetworkGuardError(`a connection to ${target.host}:${target.port}`);
  }
  return Reflect.apply(connect, this, args);
} as typeof connect;

// fetch would wrap the refusal in "fetch failed": refuse before it starts, with the host named.
const originalFetch = globalThis.fetch;
globalThis.fetch = function guardedFetch(input, init) {
  const url = URL.parse(input instanceof Request ? input.url : String(input));
  if (url && /^https?:$/.test(url.protocol) && !isLoopback(url.hostname)) {
    return Promise.reject(new NetworkGuardError(`a fetch of ${url.href}`));
  }
  return originalFetch(input, init);
};

// Name resolution is a network call too (and the first sign that a test aims past loopback).
for (const [api, isPromise] of [
  [dns, false],
  [dns.promises, true],
  [dns.Resolver.prototype, false],
  [dns.promises.Resolver.prototype, true],
] as const) {
  for (const key of Object.keys(api)) {
    if (key === 'lookup' || key === 'reverse' || key.startsWith('resolve')) {
      guardQuery(api as unknown as Record<string, unknown>, key, isPromise);
    }
  }
}
// Named imports (`import { lookup } from 'node:dns'`) see the guarded functions too.
syncBuiltinESMExports();

function guardQuery(api: Record<string, unknown>, key: string, isPromise: boolean): void {
  const query = api[key];
  if (typeof query !== 'function') return;
  api[key] = function guardedQuery(this: unknown, name: unknown, ...rest: unknown[]) {
    if (typeof name === 'string' && !isLoopback(name)) {
      const error = new NetworkGuardError(`a DNS ${key} of ${name}`);
      if (isPromise) return Promise.reject(error);
      throw error;
    }
    return Reflect.apply(query, this, [name, ...rest]);
  };
}

/** Host and port of a Socket#connect call, or undefined for a local (IPC) socket path. */
function tcpTargetOf(args: unknown[]): { host: string; port: unknown } | undefined {
  // net.connect() hands Socket#connect its arguments already normalised, as [options, callback].
  const [first, second] = Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  if (typeof first === 'object' && first !== null) {
    const options = first as { host?: unknown; port?: unknown; path?: unknown };
    // As in Node: a truthy path is a Unix socket or pipe (http leaves it null).
    if (options.path) return undefined;
    return {
      host: typeof options.host === 'string' ? options.host : 'localhost',
      port: options.port,
    };
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return undefined;
  return { host: typeof second === 'string' ? second : 'localhost', port: first };
}
