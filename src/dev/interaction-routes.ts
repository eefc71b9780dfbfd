// The dev provider's own interaction routes (oidc-provider's documented replacement for its
// devInteractions): GET and POST /interaction/:uid for sign-in and consent, GET …/abort to cancel.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { errors, type Interaction, type InteractionResults } from 'oidc-provider';
import {
  consentPage,
  type InteractionView,
  loginPage,
  maxLoginLength,
} from './interaction-pages.ts';
import { errorPage } from './provider-pages.ts';
import { readFormBody } from './read-form-body.ts';
import { type PageContext, sendPage } from './send-page.ts';

type Middleware = Parameters<Provider['use']>[0];

const interactionPath = /^\/interaction\/([\w-]+)(\/abort)?$/;

/** Koa middleware for `provider.use()`; it runs before the provider's own router. */
export function interactionRoutes(provider: Provider): Middleware {
  return async (ctx, next) => {
    const match = interactionPath.exec(ctx.path);
    if (!match) return next();
    const [, uid = '', abort] = match;
    const isPost = ctx.method === 'POST';
    if ((ctx.method !== 'GET' && !isPost) || (abort && isPost)) {
      ctx.set('Allow', abort ? 'GET' : 'GET, POST');
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
      if (!isPost) return show(ctx, interaction, view);
      return await submit(ctx, provider, interaction, view, await readFormBody(ctx.req));
    } catch (error) {
      if (!(error instanceof errors.OIDCProviderError)) throw error;
      sendPage(ctx, errorPage(error.status, error.error, error.error_description), error.status);
    }
  };
}

function show(ctx: PageContext, interaction: Interaction, view: InteractionView): void {
  switch (interaction.prompt.name) {
    case 'login':
      return sendPage(ctx, loginPage(view));
    case 'consent':
      return sendPage(ctx, consentPage(view));
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

/** Records the consent in a Grant: the OIDC scopes and claims and the API scopes still missing. */
async function grantConsent(provider: Provider, interaction: Interaction): Promise<string> {
  const accountId = interaction.session?.accountId;
  if (!accountId) throw new errors.SessionNotFound('no signed-in account');
  const { details } = interaction.prompt;
  const grant =
    (interaction.grantId && (await provider.Grant.find(interaction.grantId))) ||
    new provider.Grant({ accountId, clientId: String(interaction.params.client_id) });

  const missingScope = strings(details.missingOIDCScope);
  if (missingScope.length > 0) grant.addOIDCScope(missingScope.join(' '));
  const missingClaims = strings(details.missingOIDCClaims);
  if (missingClaims.length > 0) grant.addOIDCClaims(missingClaims);
  const resourceScopes = details.missingResourceScopes;
  if (typeof resourceScopes === 'object' && resourceScopes !== null) {
    for (const [resource, scopes] of Object.entries(resourceScopes)) {
      grant.addResourceScope(resource, strings(scopes).join(' '));
    }
  }
  return grant.save();
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

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item) => typeof item === 'string') : [];
}
