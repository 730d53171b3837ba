import { isBearerTokenSyntax } from 'tokenloop';
import { type OptionKeys, checkOptionKeys } from '../option-keys.js';
import { httpStatusOf } from '../web-errors.js';
import { type AccessTokenVerifier, bearerConfigError } from './access-token.js';
import { bearerChallenge } from './challenge-header.js';
import { isAppOnly } from './token-kind.js';

/**
 * What a route requires: delegated scopes (`scp`) or application roles (`roles`) (S50). Roles are met by
 * app-only tokens only (`idtyp: app`, else `oid` = `sub`; RFC 9068 `sub` = `client_id` elsewhere): an ID token
 * or a user's token that carries the user's app roles does not pass a roles requirement.
 */
export interface Requirement {
  scopes?: string[];
  roles?: string[];
}

/** What `checkBearer` needs to know of a request (the adapters build it). */
export interface BearerRequest {
  authorization: string | undefined;
  tokenInQuery: boolean;
  tokenInBody: boolean;
}

/** S96: the keys a requirement may have (`scope` for `scopes` would otherwise be no requirement at all). */
const REQUIREMENT_KEYS: OptionKeys<Requirement> = { scopes: true, roles: true };
const REQUEST_KEYS: OptionKeys<BearerRequest> = {
  authorization: true,
  tokenInQuery: true,
  tokenInBody: true,
};

/** S96: a route's requirement is checked when the route is set up; unknown keys stop start-up. */
export function checkRequirement(need: Requirement): void {
  checkOptionKeys(need, REQUIREMENT_KEYS, 'the route requirement', bearerConfigError);
}

export type BearerOutcome =
  | { ok: true; claims: Record<string, unknown> }
  | { ok: false; status: 400 | 401 | 403 | 503; wwwAuthenticate: string; error: string; description: string };

const fail = (
  status: 400 | 401 | 403 | 503,
  error: string,
  description: string,
  scope?: string,
): BearerOutcome => ({
  ok: false,
  status,
  error,
  description,
  wwwAuthenticate: bearerChallenge([
    ['realm', 'api'],
    ['error', error],
    ['error_description', description],
    ['scope', scope],
  ]),
});

/**
 * RFC 6750 for one request: the token only from `Authorization: Bearer` (scheme case-insensitive; a token in
 * the query or body too is 400, S44), 401 with `WWW-Authenticate: Bearer` when missing or invalid, 403
 * `insufficient_scope` when the route's scopes / roles are not granted (S45, S50).
 */
export async function checkBearer(
  verifier: AccessTokenVerifier,
  request: BearerRequest,
  need: Requirement = {},
): Promise<BearerOutcome> {
  checkRequirement(need);
  checkOptionKeys(request, REQUEST_KEYS, 'checkBearer request', bearerConfigError);
  const header = request.authorization;
  // RFC 6750 §2.1 `Bearer 1*SP b64token`: the token by the library's one rule, the bound included (S211).
  const scheme = header === undefined ? null : /^bearer +(.*)$/is.exec(header.trim());
  const match = scheme && isBearerTokenSyntax(scheme[1]) ? scheme : null;
  if (header !== undefined && !match)
    return fail(400, 'invalid_request', 'the Authorization header is not a Bearer token');
  if (match && (request.tokenInQuery || request.tokenInBody))
    return fail(400, 'invalid_request', 'the token was sent in more than one way');
  if (!match)
    return {
      ok: false,
      status: 401,
      error: '',
      description: '',
      wwwAuthenticate: bearerChallenge([['realm', 'api']]),
    };
  let claims: Record<string, unknown>;
  try {
    claims = await verifier.verify(match[1]!);
  } catch (err) {
    // S169: 401 for a token the API does not accept; 503 when the issuer's metadata or keys are unreachable.
    if (httpStatusOf(err, 'api') === 401) return fail(401, 'invalid_token', (err as Error).message);
    return fail(503, 'temporarily_unavailable', 'the token cannot be checked right now');
  }
  const scp = typeof claims.scp === 'string' ? claims.scp.split(' ') : undefined;
  const roles = Array.isArray(claims.roles)
    ? claims.roles.filter((r): r is string => typeof r === 'string')
    : undefined;
  const delegated = scp !== undefined;
  if (need.scopes?.length || need.roles?.length) {
    const scopeOk = delegated && !!need.scopes?.length && need.scopes.every((s) => scp.includes(s));
    // S50: application roles count on app-only tokens only.
    const roleOk =
      !delegated &&
      isAppOnly(claims) &&
      !!need.roles?.length &&
      !!roles &&
      need.roles.every((r) => roles.includes(r));
    if (!scopeOk && !roleOk) {
      const wanted = [...(need.scopes ?? []), ...(need.roles ?? [])].join(' ');
      return fail(403, 'insufficient_scope', 'the token does not grant this operation', wanted);
    }
  }
  return { ok: true, claims };
}
