// The dev provider's own pages (logout confirmation, signed out, error) and their stylesheet.
// Every interpolated value is HTML-escaped; only the provider's own logout form is inserted as is.
import { readFile } from 'node:fs/promises';
import type { ErrorOut, KoaContextWithOIDC } from 'oidc-provider';

export const stylesheetPath = '/dev-assets/dev-provider.css';

export async function readStylesheet(): Promise<string> {
  return readFile(new URL('./dev-provider.css', import.meta.url), 'utf8');
}

export const providerPages = {
  async logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
    const client = clientLabel(ctx);
    // `form` is oidc-provider's <form id="op.logoutForm"> holding the hidden xsrf field; the buttons submit it.
    render(ctx, {
      title: 'Sign out?',
      body: html`
        <p>${client ? `${client} asked to end your session` : 'End your session'} at ${ctx.host}.</p>
        ${signedInAs(ctx)}
        ${trusted(form)}
        <div class="actions">
          <button class="primary" type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Yes, sign me out</button>
          <button type="submit" form="op.logoutForm">No, stay signed in</button>
        </div>`,
    });
  },

  async postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
    const client = clientLabel(ctx);
    render(ctx, {
      title: 'You are signed out',
      body: html`<p>Your session at the development provider has ended${client ? ` (requested by ${client})` : ''}.</p>`,
    });
  },

  async renderError(ctx: KoaContextWithOIDC, out: ErrorOut): Promise<void> {
    render(ctx, {
      title: 'The request was refused',
      body: html`
        <dl>
          <dt>Status</dt><dd>${ctx.status}</dd>
          <dt>Error</dt><dd>${out.error}</dd>
          ${out.error_description ? html`<dt>Detail</dt><dd>${out.error_description}</dd>` : ''}
        </dl>
        <p>Go back to the application and start again.</p>`,
    });
  },
};

function clientLabel(ctx: KoaContextWithOIDC): string | undefined {
  return ctx.oidc.client?.clientName ?? ctx.oidc.client?.clientId;
}

function signedInAs(ctx: KoaContextWithOIDC): SafeHtml | string {
  const accountId = ctx.oidc.session?.accountId;
  return accountId ? html`<p>You are signed in as <strong>${accountId}</strong>.</p>` : '';
}

function render(ctx: KoaContextWithOIDC, page: { title: string; body: SafeHtml }): void {
  ctx.type = 'html';
  ctx.body = html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${page.title} · Development provider</title>
    <link rel="stylesheet" href="${stylesheetPath}">
  </head>
  <body>
    <main>
      <p class="badge">Development provider</p>
      <h1>${page.title}</h1>
      ${page.body}
    </main>
  </body>
</html>
`.value;
}

class SafeHtml {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
}

function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

function html(
  strings: TemplateStringsArray,
  ...values: Array<SafeHtml | string | number>
): SafeHtml {
  const parts = values.map((value, i) => `${escapeHtml(value)}${strings[i + 1] ?? ''}`);
  return new SafeHtml((strings[0] ?? '') + parts.join(''));
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
