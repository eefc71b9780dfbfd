// Consent at the dev provider: the user allowed everything the client asked for, so the Grant gets
// the OIDC scopes and claims and the API scopes the interaction lists as missing.
import type Provider from 'oidc-provider';
import { errors, type Interaction } from 'oidc-provider';

/** Adds what the interaction lists as missing to the Grant (new, or the existing one) and saves it. */
export async function grantConsent(provider: Provider, interaction: Interaction): Promise<string> {
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

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item) => typeof item === 'string') : [];
}
