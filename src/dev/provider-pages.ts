// The dev provider's pages that oidc-provider renders through its configuration hooks: logout
// confirmation, signed out, and errors. The sign-in and consent pages are in interaction-pages.ts.
import type { ErrorOut, KoaContextWithOIDC } from 'oidc-provider';
import { html, type Page, type SafeHtml, sendPage, trusted } from './send-page.ts';

export const providerPages = {
  async logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
    const client = clientLabel(ctx);
    // `form` is oidc-provider's <form id="op.logoutForm"> holding the hidden xsrf field; the buttons submit it.
    // An application sends its user here after ending its own session (RP-initiated logout), so the
    // only choice left is the provider's session: say so, and name each button after what it does.
    sendPage(ctx, {
      title: 'Also sign out of the provider?',
      body: html`
        <p class="lead">${
          client
            ? html`You are signed out of <strong>${client}</strong>: it has already ended its own session.`
            : 'If an application sent you here, it has already ended its own session.'
        }</p>
        <p>Your session at this provider (${ctx.host}) is still open. ${signedInAs(ctx)}</p>
        <p>If you stay, the next application that sends you here finds you already signed in.</p>
        ${trusted(form)}
        <div class="actions">
          <button class="button button--primary" type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Yes, sign out of the provider</button>
          <button class="button button--secondary" type="submit" form="op.logoutForm">No, stay signed in at the provider</button>
        </div>`,
    });
  },

  async postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
    const client = clientLabel(ctx);
    sendPage(ctx, {
      title: 'You are signed out',
      body: html`<p class="lead">Your session at the development provider has ended${client ? ` (requested by ${client})` : ''}.</p>`,
    });
  },

  async renderError(ctx: KoaContextWithOIDC, out: ErrorOut): Promise<void> {
    sendPage(ctx, errorPage(ctx.status, out.error, out.error_description), ctx.status);
  },
};

/** The page for a refused request: status, OAuth error code and description, all escaped. */
export function errorPage(status: number, error: string, description?: string): Page {
  return {
    title: 'The request was refused',
    body: html`
      <dl class="details">
        <div><dt>Status</dt><dd>${status}</dd></div>
        <div><dt>Error</dt><dd><code>${error}</code></dd></div>
        ${description ? html`<div><dt>Detail</dt><dd>${description}</dd></div>` : ''}
      </dl>
      <p class="note">Go back to the application and start again.</p>`,
  };
}

function clientLabel(ctx: KoaContextWithOIDC): string | undefined {
  return ctx.oidc.client?.clientName ?? ctx.oidc.client?.clientId;
}

function signedInAs(ctx: KoaContextWithOIDC): SafeHtml | string {
  const accountId = ctx.oidc.session?.accountId;
  return accountId ? html`You are signed in there as <strong>${accountId}</strong>.` : '';
}
