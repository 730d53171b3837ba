import type { EmulatorContext } from '../context.js';
import type { User } from '../directory/model.js';
import { halfHash, nowSeconds, pairwiseSub } from './claims.js';
import { v1Issuer } from './issuer.js';
import { signJwt } from './sign.js';

export interface V1IdTokenInput {
  user: User;
  clientId: string;
  iat: number;
  exp: number;
  nonce?: string;
  /** Hybrid authorize responses: the code issued beside the ID token (`c_hash`). */
  code?: string;
}

/**
 * A v1 ID token's claims, as Microsoft's v1 protocol docs show them: the v1 issuer (`{origin}/{tid}/` here,
 * `https://sts.windows.net/{tid}/` on Entra), `ver` 1.0, `upn` and `unique_name`, the names, and the same
 * pairwise `sub` as the v2 ID token for the app.
 */
export function v1IdTokenClaims(base: string, t: V1IdTokenInput): Record<string, unknown> {
  return {
    aud: t.clientId,
    iss: v1Issuer(base, t.user.tenantId),
    iat: t.iat,
    nbf: t.iat,
    exp: t.exp,
    amr: ['pwd'],
    ...(t.user.surname ? { family_name: t.user.surname } : {}),
    ...(t.user.givenName ? { given_name: t.user.givenName } : {}),
    ipaddr: '127.0.0.1',
    name: t.user.displayName,
    ...(t.nonce !== undefined ? { nonce: t.nonce } : {}),
    oid: t.user.id,
    sub: pairwiseSub(t.user.id, t.clientId),
    tid: t.user.tenantId,
    unique_name: t.user.username,
    upn: t.user.username,
    ver: '1.0',
    ...(t.code !== undefined ? { c_hash: halfHash(t.code) } : {}),
  };
}

/**
 * The v1 token endpoint's ID token: unsigned (`{"typ":"JWT","alg":"none"}`, empty signature), as Entra's v1
 * token endpoint issues it — the docs tell apps to read it but never to rely on it. S122: nothing in the
 * emulator accepts it as a credential (every check of the emulator's own tokens verifies an RS256 signature).
 */
export function unsignedV1IdToken(base: string, t: V1IdTokenInput): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ typ: 'JWT', alg: 'none' })}.${part(v1IdTokenClaims(base, t))}.`;
}

/** The v1 authorize endpoint's ID token (`response_type` with `id_token`): signed, as every other ID token. */
export function issueV1IdToken(
  ctx: EmulatorContext,
  t: Omit<V1IdTokenInput, 'iat' | 'exp'>,
): Promise<string> {
  const iat = nowSeconds();
  return signJwt(
    v1IdTokenClaims(ctx.url, { ...t, iat, exp: iat + ctx.settings.idTokenLifetime }),
    ctx.keys.active,
    false,
  );
}
