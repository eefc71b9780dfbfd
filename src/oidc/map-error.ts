// Converts what openid-client throws into the app's typed errors, at the edge of src/oidc.
// The original error is kept as `cause` for the log; the page only sees the public message.
import * as client from 'openid-client';
import {
  AppError,
  ApplicationTokenError,
  LoginStateError,
  ProviderError,
  type SignInRefusalCode,
  TokenRefreshError,
} from '../errors.ts';

/** What the app was doing when the provider call failed. */
export type ProviderStep =
  | 'discovery'
  | 'login'
  | 'refresh'
  | 'revocation'
  | 'logout'
  | 'client-credentials';

const cancelledOrRefused: Record<string, string> = {
  access_denied: 'The sign-in was cancelled or refused at the identity provider.',
  login_required: 'The identity provider needs you to sign in again.',
  consent_required: 'The identity provider needs your consent to continue.',
  interaction_required: 'The identity provider needs you to interact with it to continue.',
};

/** The OAuth error code carried by a provider answer, if any. */
function oauthErrorCode(error: unknown): string | undefined {
  if (error instanceof client.ResponseBodyError) return error.error;
  if (error instanceof client.WWWAuthenticateChallengeError)
    return error.cause[0]?.parameters.error;
  return undefined;
}

/** The provider's `error_description` next to that code, if any. */
function oauthErrorDescription(error: unknown): string | undefined {
  if (error instanceof client.ResponseBodyError) return error.error_description;
  if (error instanceof client.WWWAuthenticateChallengeError)
    return error.cause[0]?.parameters.error_description;
  return undefined;
}

/** Maps any error from a provider call made during `step` to an AppError. */
export function mapProviderError(error: unknown, step: ProviderStep): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof client.AuthorizationResponseError) {
    const message =
      cancelledOrRefused[error.error] ?? 'The identity provider could not complete the sign-in.';
    // Bounded: the provider chooses the text, and the code goes into every log line about it.
    const code: SignInRefusalCode = `provider_${error.error.slice(0, 55)}`;
    return new LoginStateError(code, message, { cause: error });
  }
  const code = oauthErrorCode(error);
  if (code === 'invalid_grant' && step === 'refresh') {
    return new TokenRefreshError(
      'refresh_failed',
      'Your sign-in is no longer valid at the identity provider. Please sign in again.',
      error,
    );
  }
  if (code === 'invalid_grant' && step === 'login') {
    return new LoginStateError(
      'code_rejected',
      'This sign-in link was already used or has expired. Please start again.',
      { cause: error },
    );
  }
  if (code && step === 'client-credentials') {
    return new ApplicationTokenError(code, oauthErrorDescription(error), error);
  }
  if (code) {
    return new ProviderError(
      502,
      'provider_rejected',
      'The identity provider refused the request',
      'The identity provider refused the request from this app.',
      error,
    );
  }
  if (error instanceof client.ClientError) {
    switch (error.code) {
      case 'OAUTH_TIMEOUT':
        return new ProviderError(
          504,
          'provider_timeout',
          'The identity provider did not answer in time',
          'The identity provider took too long to answer.',
          error,
        );
      // The ID token's iss, aud, azp or nonce (OIDC Core §3.1.3.7) is not what this sign-in expects.
      case 'OAUTH_JWT_CLAIM_COMPARISON_FAILED':
        if (step === 'login') {
          return new LoginStateError(
            'id_token_invalid',
            'The identity provider sent an ID token this sign-in cannot accept.',
            { cause: error },
          );
        }
        break;
      case 'OAUTH_INVALID_RESPONSE':
      case 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED':
        if (step === 'login') {
          return new LoginStateError(
            'callback_invalid',
            'The sign-in response did not match the sign-in this browser started.',
            { cause: error },
          );
        }
        break;
    }
    return new ProviderError(
      502,
      'provider_bad_response',
      "The identity provider's answer was unusable",
      'The identity provider sent an answer this app cannot use.',
      error,
    );
  }
  // fetch reports a refused connection or DNS failure as a TypeError whose `cause` says why.
  if (
    (error instanceof TypeError && error.cause) ||
    (error instanceof Error && error.name === 'AbortError')
  ) {
    return new ProviderError(
      503,
      'provider_unreachable',
      'The identity provider cannot be reached',
      'The identity provider cannot be reached right now.',
      error,
    );
  }
  return new ProviderError(
    502,
    'provider_failed',
    'The call to the identity provider failed',
    'The identity provider call failed.',
    error,
  );
}
