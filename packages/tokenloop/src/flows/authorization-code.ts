import * as oauth from 'oauth4webapi';
import { isGuid } from '../authority/authority.js';
import { checkClaims, requestClaims } from '../model/claims-request.js';
import type { GrantContext } from '../model/grant-context.js';
import type { AuthorizationRequestOptions, AuthorizationTransaction } from '../model/interactive-options.js';
import { TokenloopError } from '../errors/errors.js';
import { assertUrlAllowed } from '../http/url-policy.js';
import { debug } from '../log/debug.js';
import { mapProtocolError } from './map-errors.js';
import { asClient, endpoint, requestOptions, signInScopes } from './protocol.js';
import { explainScopeRefusal } from './scope-refusal.js';
import { requestTokens } from './token-endpoint.js';
import type { TokenSet } from '../model/token-set.js';

/** A transaction older than this is refused (the user walked away; its code would be expired anyway). */
export const TRANSACTION_LIFETIME_MS = 10 * 60_000;

const PROTOCOL_PARAMETERS = new Set([
  'client_id',
  'response_type',
  'redirect_uri',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'response_mode',
  'prompt',
  'max_age',
  'claims',
  'login_hint',
  'domain_hint',
]);

/**
 * Build the authorization request (authorization code + PKCE S256, fresh `state` and `nonce`: S01, S02) and
 * the transaction to keep bound to the user agent until the callback (S04).
 */
export async function beginAuthorization(
  ctx: GrantContext,
  o: AuthorizationRequestOptions,
): Promise<{ url: URL; transaction: AuthorizationTransaction }> {
  if (typeof o?.redirectUri !== 'string' || !URL.canParse(o.redirectUri))
    throw new TokenloopError('INVALID_ARGUMENT', 'redirectUri must be an absolute URL');
  if (!Array.isArray(o.scopes)) throw new TokenloopError('INVALID_ARGUMENT', 'scopes must be a list');
  assertUrlAllowed(
    new URL(o.redirectUri),
    'The redirect URI',
    ctx.options.http?.dangerouslyAllowInsecureHttp,
  );
  if (o.maxAge !== undefined && !(Number.isInteger(o.maxAge) && o.maxAge >= 0))
    throw new TokenloopError('INVALID_ARGUMENT', 'maxAge must be a whole number of seconds');
  const url = new URL(endpoint(ctx, 'authorization_endpoint', 'browser sign-in'));
  const scopes = signInScopes(ctx, [...o.scopes, ...(o.extraScopesToConsent ?? [])]);
  const openid = scopes.includes('openid');
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const p = url.searchParams;
  p.set('client_id', ctx.options.clientId);
  p.set('response_type', 'code');
  p.set('redirect_uri', o.redirectUri);
  p.set('scope', scopes.join(' '));
  p.set('state', state);
  if (openid) p.set('nonce', nonce);
  p.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
  p.set('code_challenge_method', 'S256');
  const responseMode = o.responseMode ?? 'query';
  if (responseMode === 'form_post') p.set('response_mode', 'form_post');
  else if (ctx.authority.kind === 'entra') p.set('response_mode', 'query');
  if (o.prompt) p.set('prompt', o.prompt);
  if (o.loginHint) p.set('login_hint', o.loginHint);
  if (o.domainHint && ctx.authority.kind === 'entra') p.set('domain_hint', o.domainHint);
  if (o.maxAge !== undefined) p.set('max_age', String(o.maxAge));
  const claims = requestClaims(ctx.options, checkClaims(o.claims)); // S105, S144
  if (claims) p.set('claims', claims);
  for (const [k, v] of Object.entries(o.extraParameters ?? {})) {
    if (PROTOCOL_PARAMETERS.has(k))
      throw new TokenloopError(
        'INVALID_ARGUMENT',
        `extraParameters must not set the protocol parameter "${k}"`,
      );
    p.set(k, v);
  }
  debug('flow', 'authorization request built', { endpoint: `${url.origin}${url.pathname}`, scopes });
  return {
    url,
    transaction: {
      state,
      nonce: openid ? nonce : '',
      codeVerifier,
      redirectUri: o.redirectUri,
      scopes: [...o.scopes],
      issuer: ctx.server.as.issuer,
      maxAge: o.maxAge,
      responseMode,
      createdAt: Date.now(),
    },
  };
}

/** `state` values already used in this process: a replayed callback is refused before any request (S03). */
const consumedStates = new Map<string, number>();

function consume(state: string): void {
  const now = Date.now();
  if (consumedStates.has(state)) {
    throw new TokenloopError('CALLBACK', 'this sign-in response was already used (replayed state, S03)', {
      remediation: 'Start the sign-in again.',
    });
  }
  for (const [s, at] of consumedStates) {
    if (now - at <= TRANSACTION_LIFETIME_MS) break;
    consumedStates.delete(s);
  }
  consumedStates.set(state, now);
}

function checkTransaction(tx: AuthorizationTransaction): void {
  const ok =
    typeof tx === 'object' &&
    tx !== null &&
    typeof tx.state === 'string' &&
    tx.state.length > 0 &&
    typeof tx.codeVerifier === 'string' &&
    tx.codeVerifier.length >= 43 &&
    typeof tx.redirectUri === 'string' &&
    typeof tx.issuer === 'string' &&
    Array.isArray(tx.scopes) &&
    typeof tx.createdAt === 'number';
  if (!ok)
    throw new TokenloopError('CALLBACK', 'no valid sign-in transaction for this callback (S04)', {
      remediation: 'Start the sign-in again from the same browser.',
    });
  if (Date.now() - tx.createdAt > TRANSACTION_LIFETIME_MS) {
    throw new TokenloopError('CALLBACK', 'the sign-in transaction has expired', {
      remediation: 'Start the sign-in again.',
    });
  }
}

/**
 * For Entra `{tenantid}` issuers, an `iss` in the authorization response names the tenant; use it (after the
 * GUID / allow-list checks) so that oauth4webapi's RFC 9207 check compares against a concrete issuer.
 */
function authorizationResponseServer(ctx: GrantContext, params: URLSearchParams): oauth.AuthorizationServer {
  const iss = params.get('iss');
  const template = ctx.server.as.issuer;
  if (!iss || !template.includes('{tenantid}')) return ctx.server.as;
  const [before, after] = template.split('{tenantid}') as [string, string];
  if (!iss.startsWith(before) || !iss.endsWith(after)) return ctx.server.as; // oauth4webapi rejects it
  const tid = iss.slice(before.length, iss.length - after.length);
  if (!isGuid(tid)) return ctx.server.as;
  return { ...ctx.server.as, issuer: ctx.server.expectedIssuer({ tid }) };
}

/**
 * Handle the callback: the transaction must be this client's and current (S04, S05); oauth4webapi checks
 * `state` first (S03), then `iss` (S06), then surfaces an error response (S07); the code is redeemed with
 * the byte-identical redirect URI (S11) and the verifier; the ID token is fully validated (nonce S31,
 * max_age S32). Code redemption is never retried (C7).
 */
export async function completeAuthorization(
  ctx: GrantContext,
  tx: AuthorizationTransaction,
  callback: URL | URLSearchParams,
  signal?: AbortSignal,
): Promise<TokenSet> {
  checkTransaction(tx);
  if (tx.issuer !== ctx.server.as.issuer) {
    throw new TokenloopError(
      'CALLBACK',
      'this sign-in transaction was started with another provider (mix-up, S05)',
    );
  }
  const params = callback instanceof URL ? callback.searchParams : callback;
  if (!(params instanceof URLSearchParams))
    throw new TokenloopError('INVALID_ARGUMENT', 'callback must be a URL or URLSearchParams');
  for (const name of ['state', 'code', 'iss', 'error']) {
    if (params.getAll(name).length > 1)
      throw new TokenloopError('CALLBACK', `the callback repeats the "${name}" parameter`);
  }
  let validated: URLSearchParams;
  try {
    const as = authorizationResponseServer(ctx, params);
    validated = oauth.validateAuthResponse(as, asClient(ctx), params, tx.state);
  } catch (err) {
    if (err instanceof oauth.AuthorizationResponseError)
      throw explainScopeRefusal(mapProtocolError(err), err, ctx, signInScopes(ctx, tx.scopes), tx.scopes);
    const message = err instanceof Error ? err.message : 'invalid callback';
    throw new TokenloopError('CALLBACK', `the sign-in response was rejected: ${message}`, {
      remediation: 'Start the sign-in again from the same browser.',
    });
  }
  consume(tx.state);
  const openid = tx.nonce !== '';
  return requestTokens(
    ctx,
    (as, client, auth) =>
      oauth.authorizationCodeGrantRequest(
        as,
        client,
        auth,
        validated,
        tx.redirectUri,
        tx.codeVerifier,
        requestOptions(ctx, signal),
      ),
    (as, client, res) =>
      oauth.processAuthorizationCodeResponse(as, client, res, {
        expectedNonce: openid ? tx.nonce : oauth.expectNoNonce,
        maxAge: tx.maxAge ?? oauth.skipAuthTimeCheck,
        requireIdToken: openid,
      }),
    {
      requestedScopes: tx.scopes,
      nonce: openid ? tx.nonce : undefined,
      maxAge: tx.maxAge,
      requireIdToken: openid,
      signal,
    },
  );
}
