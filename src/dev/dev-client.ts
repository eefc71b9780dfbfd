// The dev provider's registered clients: confidential web apps using the code flow with refresh
// tokens, optionally notified of logouts back-channel, that may also get tokens of their own for
// the demo API with the client credentials grant (`npm run client-credentials`).
import type { ClientMetadata } from 'oidc-provider';

export interface DevClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  backchannelLogoutUri?: string;
  /** Default: the code flow, refresh tokens and client credentials. */
  grantTypes?: string[];
}

export function toClientMetadata(client: DevClient): ClientMetadata {
  return {
    client_id: client.clientId,
    client_secret: client.clientSecret,
    redirect_uris: client.redirectUris,
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    grant_types: client.grantTypes ?? ['authorization_code', 'refresh_token', 'client_credentials'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...(client.backchannelLogoutUri && {
      backchannel_logout_uri: client.backchannelLogoutUri,
      backchannel_logout_session_required: true,
    }),
  };
}
