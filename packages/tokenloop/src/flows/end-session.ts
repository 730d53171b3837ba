import type { CachedAccount } from '../model/account-record.js';
import type { GrantContext } from '../model/grant-context.js';
import { TokenloopError } from '../errors/errors.js';

/**
 * The provider's RP-initiated logout URL (OpenID Connect RP-Initiated Logout 1.0), or undefined when the
 * provider has none. Carries `id_token_hint` (and Entra's `logout_hint` when known) so the right session ends.
 */
export function endSessionUrl(
  ctx: GrantContext,
  o: {
    account?: CachedAccount | undefined;
    postLogoutRedirectUri?: string | undefined;
    state?: string | undefined;
  },
): URL | undefined {
  const endpoint = ctx.server.as.end_session_endpoint;
  if (typeof endpoint !== 'string') return undefined;
  const url = new URL(endpoint);
  url.searchParams.set('client_id', ctx.options.clientId);
  if (o.account?.idToken) url.searchParams.set('id_token_hint', o.account.idToken);
  if (o.postLogoutRedirectUri !== undefined) {
    if (!URL.canParse(o.postLogoutRedirectUri))
      throw new TokenloopError('INVALID_ARGUMENT', 'postLogoutRedirectUri must be an absolute URL');
    url.searchParams.set('post_logout_redirect_uri', o.postLogoutRedirectUri);
  }
  if (o.state !== undefined) url.searchParams.set('state', o.state);
  return url;
}
