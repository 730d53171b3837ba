/**
 * What kind of token a verified JWT is: an access token at all (S48), and an app-only one (S50). The one place
 * these rules live; the verifier and the route check call them.
 */

/** Entra's client authentication levels (`appidacr` / `azpacr`): public, secret, certificate. */
const CLIENT_AUTH = new Set(['0', '1', '2']);

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** RFC 9068 §4 / RFC 8725 §3.11: `typ` is `at+jwt`, with or without `application/`, in any case. */
function typedAsAccessToken(typ: unknown): boolean {
  return typeof typ === 'string' && /^(application\/)?at\+jwt$/i.test(typ);
}

/**
 * S48: why these claims are not an access token, or undefined when they are one.
 * - Entra: the issuer form fixes the version, and the token must carry that version's access-token markers:
 *   v2 `ver: "2.0"` with `azp` and `azpacr`, v1 `ver: "1.0"` with `appid` and `appidacr`. ID tokens carry none
 *   of them (a refreshed ID token has no `nonce` or `at_hash` either, and may carry `roles`).
 * - Any other issuer: the header says `typ: at+jwt` (RFC 9068), or — only when the API allowed untyped access
 *   tokens — the token has no ID-token claim (`nonce`, `at_hash`, `c_hash`) and carries one only access tokens
 *   carry (`scp`, `scope`, `roles` or `client_id`).
 */
export function notAnAccessToken(
  claims: Record<string, unknown>,
  header: { typ?: unknown },
  issuer: { kind: 'entra'; version: 'v1' | 'v2' } | { kind: 'generic'; allowUntyped: boolean },
): string | undefined {
  const idTokenShaped =
    claims.nonce !== undefined || claims.at_hash !== undefined || claims.c_hash !== undefined;
  if (issuer.kind === 'entra') {
    const markers =
      issuer.version === 'v2'
        ? claims.ver === '2.0' && nonEmpty(claims.azp) && CLIENT_AUTH.has(claims.azpacr as string)
        : claims.ver === '1.0' && nonEmpty(claims.appid) && CLIENT_AUTH.has(claims.appidacr as string);
    if (!markers || idTokenShaped) return 'an ID token is not an access token';
    if (claims.scp === undefined && claims.roles === undefined)
      return 'the token grants neither scopes nor roles';
    return undefined;
  }
  if (typedAsAccessToken(header.typ)) return undefined;
  if (!issuer.allowUntyped) return 'the token is not typed as an access token (typ at+jwt)';
  const grants = ['scp', 'scope', 'roles', 'client_id'].some((c) => claims[c] !== undefined);
  if (idTokenShaped || !grants) return 'an ID token is not an access token';
  return undefined;
}

/**
 * S50: an app-only token (client credentials, no user), as a `roles` requirement needs: Entra's `idtyp: "app"`;
 * where `idtyp` is absent, Entra's `oid` equal to `sub` (an app's subject is its service principal); for other
 * issuers, RFC 9068 §2.2's `sub` equal to `client_id`. A token that says none of this is not app-only.
 */
export function isAppOnly(claims: Record<string, unknown>): boolean {
  if (claims.idtyp !== undefined) return claims.idtyp === 'app';
  if (nonEmpty(claims.oid)) return claims.oid === claims.sub;
  if (nonEmpty(claims.client_id)) return claims.client_id === claims.sub;
  return false;
}
