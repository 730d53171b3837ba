import * as oauth from 'oauth4webapi';
import type { GrantContext } from '../model/grant-context.js';
import { TokenloopError } from '../errors/errors.js';
import { isConfidential } from './client-auth.js';
import { requestOptions, tokenParameters } from './protocol.js';
import { requestTokens } from './token-endpoint.js';
import type { TokenSet } from '../model/token-set.js';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/**
 * On-behalf-of (Entra; RFC 7523 JWT bearer with `requested_token_use=on_behalf_of`): a middle-tier API trades
 * the access token it received for one to a downstream API, as the same user. Not retried: the provider
 * may have consumed it.
 */
export async function onBehalfOf(
  ctx: GrantContext,
  assertion: string,
  scopes: readonly string[],
  signal?: AbortSignal,
): Promise<TokenSet> {
  if (!isConfidential(ctx)) {
    throw new TokenloopError(
      'CONFIGURATION',
      'on-behalf-of needs a confidential client (secret or certificate)',
    );
  }
  return requestTokens(
    ctx,
    (as, client, auth) =>
      oauth.genericTokenEndpointRequest(
        as,
        client,
        auth,
        JWT_BEARER,
        tokenParameters(ctx, { assertion, requested_token_use: 'on_behalf_of', scope: scopes.join(' ') }),
        requestOptions(ctx, signal),
      ),
    oauth.processGenericTokenEndpointResponse,
    { requestedScopes: scopes, signal },
  );
}
