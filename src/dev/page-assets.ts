// The dev provider's static files (its stylesheet and icon): read once at start, served from its
// own origin so that its pages need nothing from the network.
import { readFile } from 'node:fs/promises';
import type Provider from 'oidc-provider';

type Middleware = Parameters<Provider['use']>[0];

export const pageAssets = {
  stylesheet: { path: '/dev-assets/dev-provider.css', file: 'dev-provider.css', type: 'text/css' },
  icon: { path: '/dev-assets/icon.svg', file: 'dev-provider-icon.svg', type: 'image/svg+xml' },
} as const;

/** A middleware answering GET and HEAD for the assets; other requests pass through. */
export async function serveAssets(): Promise<Middleware> {
  const files = new Map<string, { type: string; content: string }>(
    await Promise.all(
      Object.values(pageAssets).map(async (asset) => {
        const content = await readFile(new URL(asset.file, import.meta.url), 'utf8');
        return [asset.path, { type: asset.type, content }] as const;
      }),
    ),
  );
  return async (ctx, next) => {
    const file = files.get(ctx.path);
    if (!file || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    ctx.type = file.type;
    ctx.set('Cache-Control', 'no-cache');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.body = file.content;
  };
}
