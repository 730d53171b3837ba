import { EntraError } from '../errors/entra-error.js';

/**
 * What a token request's `claims` parameter (OpenID Connect Core §5.5, as Entra reads it for access tokens)
 * asks of the access token: the client capabilities it declares (`xms_cc`, "cp1" = it handles claims
 * challenges, i.e. continuous access evaluation) and the time a claims challenge says the token must not
 * predate (`nbf` essential).
 */
export interface ClaimsRequest {
  /** Known capabilities asked for, lower case: only `cp1` is one. */
  capabilities: string[];
  /** Seconds since the epoch: the token must be issued at or after this (a CAE challenge's `nbf`). */
  notBefore?: number;
}

/** No claims request: what managed identity and the authorize endpoint's tokens are issued with. */
export const NO_CLAIMS_REQUEST: ClaimsRequest = { capabilities: [] };
const NONE = NO_CLAIMS_REQUEST;
const KNOWN_CAPABILITIES = new Set(['cp1']);
/** Far more than a claims request (capabilities, acrs, nbf) needs; Entra refuses long parameters too. */
const MAX_LENGTH = 8192;

function refuse(): never {
  // S142: one error for every malformed shape.
  throw new EntraError(90100, { name: 'claims' });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a `claims` parameter; undefined or empty asks for nothing. Malformed: AADSTS90100 (S142). */
export function readClaimsRequest(raw: string | undefined): ClaimsRequest {
  if (raw === undefined || raw.trim() === '') return NONE;
  if (raw.length > MAX_LENGTH) refuse();
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    refuse();
  }
  if (!isObject(parsed)) refuse();
  const at = parsed.access_token;
  if (at === undefined || at === null) return NONE;
  if (!isObject(at)) refuse();
  const request: ClaimsRequest = { capabilities: [] };
  const cc = at.xms_cc;
  if (cc !== undefined && cc !== null) {
    if (!isObject(cc) || !Array.isArray(cc.values) || !cc.values.every((v) => typeof v === 'string'))
      refuse();
    const known = new Set(
      (cc.values as string[]).map((v) => v.toLowerCase()).filter((v) => KNOWN_CAPABILITIES.has(v)),
    );
    request.capabilities = [...known];
  }
  const nbf = at.nbf;
  if (nbf !== undefined && nbf !== null) {
    if (!isObject(nbf)) refuse();
    const value =
      typeof nbf.value === 'number' ? nbf.value : typeof nbf.value === 'string' ? Number(nbf.value) : NaN;
    if (!Number.isSafeInteger(value) || value < 0) refuse();
    request.notBefore = value;
  }
  return request;
}

/** Whether a token carries client capability cp1: the client said it handles claims challenges (S143). */
export function declaresCp1(claims: Record<string, unknown>): boolean {
  return (
    Array.isArray(claims.xms_cc) &&
    claims.xms_cc.some((v) => typeof v === 'string' && v.toLowerCase() === 'cp1')
  );
}
