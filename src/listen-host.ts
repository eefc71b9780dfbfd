// Which network interface server.ts listens on: a development app stays on the developer's
// machine, as the embedded provider and demo API do.
import type { AppConfig } from './config/app-config.ts';
import { isLoopbackHost } from './config/read-env.ts';

/**
 * The address to listen on, or undefined for every interface. In development with a loopback
 * APP_BASE_URL: that loopback address (`localhost` → 127.0.0.1, where the development services
 * listen too; browsers try it after ::1). In production, or under another host name, every
 * interface: the app sits behind a proxy or a container's port mapping.
 */
export function listenHost(
  config: Pick<AppConfig, 'isProduction' | 'baseUrl'>,
): string | undefined {
  const { hostname } = config.baseUrl;
  if (config.isProduction || !isLoopbackHost(hostname)) return undefined;
  if (hostname === 'localhost') return '127.0.0.1';
  // URL keeps IPv6 hosts in brackets ([::1]); listen() wants the bare address.
  return hostname.replace(/^\[(.*)\]$/, '$1');
}
