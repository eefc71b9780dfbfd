// The dev provider's page layout and its HTML escaping: every page it serves goes through here,
// with a strict CSP (stylesheet and icon from its own origin, nothing inline, no scripts). Built
// with an escaping template tag, not EJS: oidc-provider's page hooks take HTML strings.
import { pageAssets } from './page-assets.ts';

export interface Page {
  title: string;
  body: SafeHtml;
}

/** The parts of a Koa context a page needs (oidc-provider's contexts are Koa contexts). */
export interface PageContext {
  status: number;
  type: string;
  body: unknown;
  set(field: string, value: string): void;
}

// No form-action: Chromium applies it to the redirects after a form POST, and the sign-in, consent
// and logout forms end on the app's redirect URI, another origin.
const contentSecurityPolicy = [
  "default-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "script-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function sendPage(ctx: PageContext, page: Page, status = 200): void {
  ctx.status = status;
  ctx.type = 'html';
  ctx.set('Content-Security-Policy', contentSecurityPolicy);
  // The pages hold one-time interaction and logout state: never keep them in a cache.
  ctx.set('Cache-Control', 'no-store');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.body = html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="color-scheme" content="light dark">
    <title>${page.title} · Development provider</title>
    <link rel="icon" href="${pageAssets.icon.path}" type="image/svg+xml">
    <link rel="stylesheet" href="${pageAssets.stylesheet.path}">
  </head>
  <body>
    <main class="shell">
      <p class="brand">
        <svg class="brand__mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
          <rect class="brand__tile" width="32" height="32" rx="8"/>
          <circle class="brand__glyph" cx="12.5" cy="16" r="4.5"/>
          <path class="brand__glyph" d="M17 16h8m-3 0v3.5m-3.5-3.5v2.5"/>
        </svg>
        <span class="brand__name">Development provider</span>
        <span class="badge">Local only</span>
      </p>
      <section class="card" aria-labelledby="page-title">
        <h1 id="page-title">${page.title}</h1>
        ${page.body}
      </section>
      <p class="shell__footer">An OpenID Provider embedded for local development only.</p>
    </main>
  </body>
</html>
`.value;
}

export class SafeHtml {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
}

/** Markup that is already safe (built by oidc-provider or by `html`), inserted as is. */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** A template tag that HTML-escapes every interpolated value except `SafeHtml`. */
export function html(
  strings: TemplateStringsArray,
  ...values: Array<SafeHtml | string | number>
): SafeHtml {
  const parts = values.map((value, i) => `${escapeHtml(value)}${strings[i + 1] ?? ''}`);
  return new SafeHtml((strings[0] ?? '') + parts.join(''));
}

/** Joins already-safe fragments (e.g. list items from `Array.map`). */
export function join(fragments: SafeHtml[]): SafeHtml {
  return new SafeHtml(fragments.map((fragment) => fragment.value).join(''));
}

function escapeHtml(value: SafeHtml | string | number): string {
  if (value instanceof SafeHtml) return value.value;
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}
