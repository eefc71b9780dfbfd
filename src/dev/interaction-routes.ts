// The dev provider's own interaction routes (oidc-provider's documented replacement for its
// devInteractions): GET and POST /interaction/:uid for sign-in and consent, GET …/abort to cancel.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { errors, type Interaction, type InteractionResults } from 'oidc-provider';
import { grantConsent } from './grant-consent.ts';
import {
  consentPage,
  type InteractionView,
  loginPage,
  maxLoginLength,
} from './interaction-pages.ts';
import { errorPage } from './provider-pages.ts';
import { readFormBody } from './read-form-body.ts';
import { type Page, type PageContext, sendPage } from './send-page.ts';

type Middleware = Parameters<Provider['use']>[0];

const interactionPath = /^\/interaction\/([\w-]+)(\/abort)?$/;

/** Koa middleware for `provider.use()`; it runs before the provider's own router. */
export function interactionRoutes(provider: Provider): Middleware {
  return async (ctx, next) => {
    const match = interactionPath.exec(ctx.path);
    if (!match) return next();
    const [, uid = '', abort] = match;
    const allowed = abort ? ['GET'] : ['GET', 'HEAD', 'POST'];
    if (!allowed.includes(ctx.method)) {
      ctx.set('Allow', allowed.join(', '));
      ctx.status = 405;
      return;
    }
    try {
      // The interaction is found through its cookie (path /interaction/:uid, SameSite=Lax): a
      // cross-site POST carries none, which is what protects these forms from CSRF.
      const interaction = await provider.interactionDetails(ctx.req, ctx.res);
      if (interaction.uid !== uid) throw new errors.SessionNotFound('interaction mismatch');

      if (abort) {
        return await finish(ctx, provider, {
          error: 'access_denied',
          error_description: 'End-User aborted interaction',
        });
      }
      const view = await describeInteraction(provider, interaction);
      if (ctx.method !== 'POST') return sendPage(ctx, pageFor(interaction, view));
      return await submit(ctx, provider, interaction, view, await readFormBody(ctx.req));
    } catch (error) {
      if (!(error instanceof errors.OIDCProviderError)) throw error;
      sendPage(ctx, errorPage(error.status, error.error, error.error_description), error.status);
    }
  };
}

function pageFor(interaction: Interaction, view: InteractionView): Page {
  switch (interaction.prompt.name) {
    case 'login':
      return loginPage(view);
    case 'consent':
      return consentPage(view);
    default:
      throw new errors.InvalidRequest(`unsupported prompt ${interaction.prompt.name}`, 501);
  }
}

async function submit(
  ctx: FinishContext,
  provider: Provider,
  interaction: Interaction,
  view: InteractionView,
  form: URLSearchParams,
): Promise<void> {
  if (form.get('prompt') !== interaction.prompt.name) {
    throw new errors.InvalidRequest('the form does not answer the pending prompt');
  }
  if (interaction.prompt.name === 'consent') {
    // Merged with the sign-in result of this authorization, so that `prompt=login` stays satisfied.
    return finish(
      ctx,
      provider,
      { consent: { grantId: await grantConsent(provider, interaction) } },
      true,
    );
  }
  // Any username is accepted and becomes the subject; the password is ignored.
  const login = form.get('login')?.trim() ?? '';
  if (login === '' || login.length > maxLoginLength) {
    return sendPage(
      ctx,
      loginPage(view, `Enter a username of 1 to ${maxLoginLength} characters.`),
      400,
    );
  }
  return finish(ctx, provider, { login: { accountId: login } });
}

async function describeInteraction(
  provider: Provider,
  interaction: Interaction,
): Promise<InteractionView> {
  const { params } = interaction;
  const clientId = String(params.client_id);
  const client = await provider.Client.find(clientId);
  return {
    uid: interaction.uid,
    clientId,
    clientName: client?.clientName,
    scopes: typeof params.scope === 'string' ? params.scope.split(' ').filter(Boolean) : [],
    redirectUri: typeof params.redirect_uri === 'string' ? params.redirect_uri : undefined,
    accountId: interaction.session?.accountId,
  };
}

interface FinishContext extends PageContext {
  req: IncomingMessage;
  res: ServerResponse;
  respond?: boolean;
}

/** Stores the result and redirects (303) back to the authorization endpoint to resume. */
async function finish(
  ctx: FinishContext,
  provider: Provider,
  result: InteractionResults,
  mergeWithLastSubmission = false,
): Promise<void> {
  await provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission });
  // interactionFinished wrote the response itself: Koa must not write another.
  ctx.respond = false;
}
