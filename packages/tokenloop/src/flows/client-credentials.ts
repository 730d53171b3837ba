import * as oauth from 'oauth4webapi';
import type { GrantContext } from '../model/grant-context.js';
import { TokenloopError } from '../errors/errors.js';
import { withRetry } from '../http/retry.js';
import { isConfidential } from './client-auth.js';
import { requestOptions, tokenParameters } from './protocol.js';
import { requestTokens } from './token-endpoint.js';
import type { TokenSet } from '../model/token-set.js';

/**
 * App-only token (RFC 6749 §4.4) with the client's secret or certificate. Safe to retry (no state is
 * consumed), so transient failures are retried with jitter and Retry-After (C7); each attempt gets a fresh
 * client assertion. `claims` (S105, already checked by `checkClaims`) is sent as the `claims` parameter.
 */
export async function appToken(
  ctx: GrantContext,
  scopes: readonly string[],
  signal?: AbortSignal,
  claims?: string,
): Promise<TokenSet> {
  if (!isConfidential(ctx)) {
    throw new TokenloopError('CONFIGURATION', 'app-only tokens need a client secret or certificate', {
      remediation: 'Configure clientSecret or clientCertificate for this app registration.',
    });
  }
  if (
    ctx.authority.kind === 'entra' &&
    ['common', 'organizations', 'consumers'].includes(ctx.authority.tenantKind)
  ) {
    throw new TokenloopError(
      'CONFIGURATION',
      `app-only tokens need a tenant-specific authority, not "${ctx.authority.tenant}"`,
      {
        remediation: 'Use https://HOST/<tenant id or domain> as the authority.',
      },
    );
  }
  const params: Record<string, string> = {
    ...(scopes.length ? { scope: scopes.join(' ') } : {}),
    ...(claims ? { claims } : {}),
  };
  return requestTokens(
    ctx,
    (as, client, auth) =>
      withRetry(
        () =>
          oauth.clientCredentialsGrantRequest(
            as,
            client,
            auth,
            tokenParameters(ctx, params),
            requestOptions(ctx, signal),
          ),
        {},
        signal,
      ),
    oauth.processClientCredentialsResponse,
    { requestedScopes: scopes, signal },
  );
}
