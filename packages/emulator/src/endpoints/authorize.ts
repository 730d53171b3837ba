import type { EmulatorContext } from '../context.js';
import { requireApp } from '../directory/require-app.js';
import { resolveTenant } from '../directory/tenants.js';
import { EntraError } from '../errors/entra-error.js';
import { type Destination, deliverError, showErrorPage } from '../flow/deliver.js';
import { proceed } from '../flow/proceed.js';
import { newTransactionId } from '../flow/transaction.js';
import { isAbsoluteUri, matchesRedirectUri } from '../directory/redirect-uri.js';
import { isFormContentType, type Params, parseParams, readBody } from '../http/request.js';
import type { Exchange } from '../http/route.js';
import type { AuthorizeTransaction } from '../state/records.js';
import { isPkceValue } from '../grants/pkce.js';
import { asksClientInfo } from '../tokens/claims.js';
import { parseScopes } from '../directory/scopes.js';

const RESPONSE_MODES = ['query', 'fragment', 'form_post'] as const;
const PROMPTS = ['login', 'none', 'consent', 'select_account'];
/** `state` and `nonce` come back in the redirect and the ID token: bounded, and refused (not cut) past that. */
export const MAX_STATE_LENGTH = 2048;
export const MAX_NONCE_LENGTH = 2048;

function tooLong(name: string, value: string, max: number): EntraError {
  return new EntraError(9002313, {
    detail: `The '${name}' parameter is too long (${value.length} characters; at most ${max}).`,
  });
}

/**
 * How one authorize endpoint's protocol differs from v2's (the v1 endpoint, v1-authorize.ts): where the
 * requested scopes come from, and which version of ID token the sign-in answers with.
 */
export interface AuthorizeDialect {
  /** The request's scopes in the v2 form; called once the client and redirect URI are trusted. */
  scope(p: Params, segment: string): string | undefined;
  idTokenVersion?: 1;
}

const V2: AuthorizeDialect = { scope: (p) => p.get('scope') };

/** The parameters of an authorization request: the query, or a form body. */
export async function authorizeParams(x: Exchange): Promise<Params> {
  if (x.method !== 'POST') return x.query;
  return isFormContentType(x.req) ? parseParams(await readBody(x.req)) : parseParams('');
}

/** `GET|POST /{tenant}/oauth2/v2.0/authorize` */
export async function authorize(ctx: EmulatorContext, x: Exchange): Promise<void> {
  await authorizeWith(ctx, x, await authorizeParams(x), V2);
}

/** An authorization request read the way `dialect` says. */
export async function authorizeWith(
  ctx: EmulatorContext,
  x: Exchange,
  p: Params,
  dialect: AuthorizeDialect,
): Promise<void> {
  // Until the client and its redirect URI are trusted, every problem is shown on an error page.
  let trusted: Destination;
  let app: ReturnType<typeof ctx.directory.apps.get>;
  const segment = x.params.tenant!;
  try {
    resolveTenant(ctx.directory, segment);
    const clientId = p.get('client_id');
    if (!clientId) throw new EntraError(900144, { name: 'client_id' });
    app = requireApp(ctx, clientId, segment);
    const redirectUri = p.get('redirect_uri');
    if (!redirectUri) throw new EntraError(app.redirectUris.length ? 900971 : 500113);
    if (!isAbsoluteUri(redirectUri)) throw new EntraError(90102);
    if (!app.redirectUris.length) throw new EntraError(500113);
    if (!matchesRedirectUri(app.redirectUris, redirectUri)) {
      throw new EntraError(50011, { redirectUri, clientId: app.clientId });
    }
    const mode = p.get('response_mode');
    const responseType = (p.get('response_type') ?? '').split(' ').filter(Boolean).sort().join(' ');
    const hybrid = responseType.includes('id_token') || responseType.includes('token');
    const responseMode: Destination['responseMode'] = (RESPONSE_MODES as readonly string[]).includes(
      mode ?? '',
    )
      ? (mode as Destination['responseMode'])
      : hybrid
        ? 'fragment'
        : 'query';
    trusted = { redirectUri, responseMode };
  } catch (err) {
    if (err instanceof EntraError) return showErrorPage(ctx, x, err);
    throw err;
  }
  // An oversized state is refused and not echoed back.
  const rawState = p.get('state');
  const state = rawState !== undefined && rawState.length <= MAX_STATE_LENGTH ? rawState : undefined;
  try {
    if (rawState !== undefined && state === undefined) throw tooLong('state', rawState, MAX_STATE_LENGTH);
    const tx = validateRequest(ctx, p, segment, app.clientId, trusted, dialect);
    tx.state = state;
    await proceed(ctx, x, tx);
  } catch (err) {
    if (err instanceof EntraError) return deliverError(x, trusted, err, state);
    throw err;
  }
}

function validateRequest(
  ctx: EmulatorContext,
  p: Params,
  segment: string,
  clientId: string,
  to: Destination,
  dialect: AuthorizeDialect,
): AuthorizeTransaction {
  const app = ctx.directory.apps.get(clientId)!;
  const tenant = resolveTenant(ctx.directory, segment);
  if (
    (tenant.kind === 'common' || tenant.kind === 'organizations') &&
    app.signInAudience === 'AzureADMyOrg'
  ) {
    throw new EntraError(50194, { clientId: app.clientId, appName: app.name });
  }
  if (p.duplicates.length) {
    throw new EntraError(9002313, { detail: `Parameter '${p.duplicates[0]}' is duplicated.` });
  }
  const mode = p.get('response_mode');
  if (mode !== undefined && !(RESPONSE_MODES as readonly string[]).includes(mode)) {
    throw new EntraError(9002313, { detail: `Unsupported response_mode '${mode.slice(0, 40)}'.` });
  }
  const rawType = p.get('response_type');
  if (!rawType) throw new EntraError(900144, { name: 'response_type' });
  const responseType = rawType.split(' ').filter(Boolean).sort().join(' ');
  if (responseType === 'token' || responseType === 'id_token token' || responseType === 'code token') {
    throw new EntraError(700051, { responseType: rawType });
  }
  if (responseType !== 'code' && responseType !== 'code id_token' && responseType !== 'id_token') {
    throw new EntraError(
      700051,
      { responseType: rawType.slice(0, 40) },
      { error: 'unsupported_response_type' },
    );
  }
  const scopeParam = dialect.scope(p, segment);
  if (!scopeParam) throw new EntraError(900144, { name: 'scope' });
  const scopes = parseScopes(ctx.directory, scopeParam, segment);
  if (responseType.includes('id_token')) {
    if (!app.idTokenIssuance) throw new EntraError(700054);
    if (!scopes.oidc.includes('openid')) throw new EntraError(900144, { name: 'openid scope' });
    if (!p.get('nonce')) throw new EntraError(900144, { name: 'nonce' });
    if (to.responseMode === 'query') {
      throw new EntraError(9002313, { detail: "response_mode 'query' is not allowed with an id_token." });
    }
  }
  const prompt = p.get('prompt');
  if (prompt !== undefined && !PROMPTS.includes(prompt)) {
    throw new EntraError(9002313, { detail: `Invalid prompt value '${prompt.slice(0, 40)}'.` });
  }
  const challenge = p.get('code_challenge');
  const method = p.get('code_challenge_method');
  if (method !== undefined && method !== 'S256' && method !== 'plain') {
    throw new EntraError(9002313, { detail: `Invalid code_challenge_method '${method.slice(0, 20)}'.` });
  }
  if (challenge !== undefined && !isPkceValue(challenge)) {
    throw new EntraError(9002313, { detail: 'Invalid size of Code_Challenge parameter.' });
  }
  if (method !== undefined && challenge === undefined)
    throw new EntraError(900144, { name: 'code_challenge' });
  const maxAge = p.get('max_age');
  const tx: AuthorizeTransaction = {
    id: newTransactionId(),
    kind: 'authorize',
    tenantSegment: segment,
    clientId,
    redirectUri: to.redirectUri,
    responseType,
    responseMode: to.responseMode,
    scopes,
    clientInfo: asksClientInfo(p),
    ...(dialect.idTokenVersion ? { idTokenVersion: dialect.idTokenVersion } : {}),
  };
  const nonce = p.get('nonce');
  if (nonce !== undefined && nonce.length > MAX_NONCE_LENGTH) throw tooLong('nonce', nonce, MAX_NONCE_LENGTH);
  if (nonce !== undefined) tx.nonce = nonce;
  if (prompt !== undefined) tx.prompt = prompt;
  const loginHint = p.get('login_hint');
  if (loginHint !== undefined) tx.loginHint = loginHint.slice(0, 256);
  const domainHint = p.get('domain_hint');
  if (domainHint !== undefined) tx.domainHint = domainHint.slice(0, 256);
  if (challenge !== undefined) {
    tx.codeChallenge = challenge;
    tx.codeChallengeMethod = method === 'S256' ? 'S256' : 'plain';
  }
  if (maxAge !== undefined && /^\d{1,9}$/.test(maxAge)) tx.maxAge = Number(maxAge);
  return tx;
}
