import type * as oauth from 'oauth4webapi';
import { asForTokenResponse } from '../authority/discovery.js';
import type { GrantContext } from '../model/grant-context.js';
import type { CachedAccount } from '../model/account-record.js';
import { TokenloopError } from '../errors/errors.js';
import { validateIdToken } from '../validation/id-token.js';
import { ASYMMETRIC_ALGORITHMS, type KeySet, createKeySet } from '../validation/key-set.js';
import { clientAuthFor } from './client-auth.js';
import { assertNotUnavailable, mapProtocolError } from './map-errors.js';
import { asClient } from './protocol.js';
import { toTokenSet } from './token-response.js';
import type { TokenSet } from '../model/token-set.js';

/** The provider's key set, one per jwks_uri per client (S40). */
export function keySetOf(ctx: GrantContext): KeySet {
  const uri = ctx.server.as.jwks_uri;
  if (typeof uri !== 'string')
    throw new TokenloopError(
      'CONFIGURATION',
      'the provider publishes no jwks_uri, so its ID tokens cannot be verified',
    );
  let keys = ctx.keySets.get(uri);
  if (!keys) {
    keys = createKeySet(uri, { fetch: ctx.fetch });
    ctx.keySets.set(uri, keys);
  }
  return keys;
}

/** ID-token algorithms: what the provider advertises, asymmetric only; RS256 when it says nothing (S29). */
export function idTokenAlgorithms(ctx: GrantContext): string[] {
  const advertised = ctx.server.as.id_token_signing_alg_values_supported;
  const usable = Array.isArray(advertised)
    ? advertised.filter((a) => (ASYMMETRIC_ALGORITHMS as readonly string[]).includes(a))
    : [];
  return usable.length ? usable : ['RS256'];
}

export interface ResponseChecks {
  requestedScopes: readonly string[];
  nonce?: string | undefined;
  maxAge?: number | undefined;
  /** The account being refreshed (S36). */
  previous?: CachedAccount | undefined;
  /** An ID token must come back (sign-in with `openid`). */
  requireIdToken?: boolean;
  signal?: AbortSignal | undefined;
}

/**
 * Process a token endpoint response: unavailable providers reported as such, oauth4webapi's protocol checks
 * (with the tenant's issuer on Entra multi-tenant authorities), then tokenloop's own ID-token verification —
 * signature against the JWKS and every claim rule — before anything is returned or cached (S28).
 */
export async function processTokenResponse(
  ctx: GrantContext,
  response: Response,
  process: (as: oauth.AuthorizationServer, response: Response) => Promise<oauth.TokenEndpointResponse>,
  checks: ResponseChecks,
): Promise<TokenSet> {
  const obtainedAt = Date.now();
  try {
    await assertNotUnavailable(response);
    const as = await asForTokenResponse(ctx.server, response);
    const result = await process(as, response);
    let claims: Record<string, unknown> | undefined;
    if (typeof result.id_token === 'string') {
      const previous = checks.previous;
      claims = await validateIdToken(result.id_token, {
        keys: keySetOf(ctx),
        expectedIssuer: ctx.server.expectedIssuer,
        clientId: ctx.options.clientId,
        algorithms: idTokenAlgorithms(ctx),
        nonce: checks.nonce,
        maxAge: checks.maxAge,
        clockToleranceSeconds: ctx.options.clockToleranceSeconds,
        accessToken: result.access_token,
        previous:
          previous?.idTokenSubject !== undefined
            ? {
                iss: previous.issuer,
                sub: previous.idTokenSubject,
                tid: previous.tenantId,
                oid: ctx.authority.kind === 'entra' ? previous.localAccountId : undefined,
              }
            : undefined,
        signal: checks.signal,
      });
    } else if (checks.requireIdToken) {
      throw new TokenloopError(
        'INVALID_RESPONSE',
        'the provider returned no ID token for an OpenID Connect sign-in',
      );
    }
    return toTokenSet(result, checks.requestedScopes, obtainedAt, claims);
  } catch (err) {
    throw mapProtocolError(err);
  }
}

/**
 * One token request, the same for every grant: sent with the client authenticated as configured
 * (`clientAuthFor`), the response processed and checked (`processTokenResponse`, S28), any failure a
 * TokenloopError (`mapProtocolError`). `send` and `process` are the grant's oauth4webapi functions.
 */
export async function requestTokens(
  ctx: GrantContext,
  send: (as: oauth.AuthorizationServer, client: oauth.Client, auth: oauth.ClientAuth) => Promise<Response>,
  process: (
    as: oauth.AuthorizationServer,
    client: oauth.Client,
    response: Response,
  ) => Promise<oauth.TokenEndpointResponse>,
  checks: ResponseChecks,
): Promise<TokenSet> {
  try {
    const client = asClient(ctx);
    const response = await send(ctx.server.as, client, await clientAuthFor(ctx));
    return await processTokenResponse(ctx, response, (as, res) => process(as, client, res), checks);
  } catch (err) {
    throw mapProtocolError(err);
  }
}
