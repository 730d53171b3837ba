import { createPublicKey, type KeyObject } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, errors, type JWTPayload, jwtVerify } from 'jose';
import type { EmulatorContext } from '../context.js';
import type { AccessTokenRecord } from '../state/records.js';
import { userRefusal } from '../directory/scenarios.js';
import { appEnabled } from '../directory/require-app.js';
import { grantRevoked } from '../state/revoke-grant.js';

export type OwnTokenCheck =
  | { ok: true; claims: JWTPayload & Record<string, unknown>; record: AccessTokenRecord | undefined }
  | { ok: false; reason: 'expired' | 'invalid' }
  /** `claims`: a user's token refused for a revocation (a CAE resource challenges it, S143). */
  | { ok: false; reason: 'revoked'; claims?: JWTPayload & Record<string, unknown> };

const publicKeys = new WeakMap<KeyObject, KeyObject>();

/**
 * Verifies an access token this emulator issued: signature with a published key, RS256 only, our issuer,
 * lifetime, and not revoked (its grant revoked by a code replay, an admin call or a scenario).
 */
export async function verifyOwnAccessToken(ctx: EmulatorContext, token: string): Promise<OwnTokenCheck> {
  if (token.length > 16_384) return { ok: false, reason: 'invalid' };
  let claims: JWTPayload & Record<string, unknown>;
  try {
    const result = await jwtVerify(
      token,
      (header) => {
        const key = header.kid ? ctx.keys.find(header.kid) : undefined;
        if (!key) throw new errors.JWKSNoMatchingKey();
        let pub = publicKeys.get(key.privateKey);
        if (!pub) {
          pub = createPublicKey(key.privateKey);
          publicKeys.set(key.privateKey, pub);
        }
        return pub;
      },
      { algorithms: ['RS256'] },
    );
    claims = result.payload as JWTPayload & Record<string, unknown>;
  } catch (err) {
    return { ok: false, reason: err instanceof errors.JWTExpired ? 'expired' : 'invalid' };
  }
  const iss = typeof claims.iss === 'string' ? claims.iss : '';
  if (!iss.startsWith(`${ctx.url}/`)) return { ok: false, reason: 'invalid' };
  // Access tokens carry scp (delegated) or roles/idtyp app; ID tokens carry neither.
  if (typeof claims.scp !== 'string' && claims.idtyp !== 'app') return { ok: false, reason: 'invalid' };
  const uti = typeof claims.uti === 'string' ? claims.uti : '';
  const record = ctx.state.accessTokens.get(uti);
  if (record?.grantId && grantRevoked(ctx, record.grantId, record.issuedAt))
    return { ok: false, reason: 'revoked', claims };
  // S158: the client app is re-checked for every token kind, as Entra's continuous access evaluation for
  // workload identities does: a deleted or disabled app's tokens (app-only or delegated) are refused.
  const clientId = tokenClientId(claims);
  if (!clientAppActive(ctx, clientId)) return { ok: false, reason: 'revoked', claims };
  if (typeof claims.oid === 'string' && claims.idtyp !== 'app') {
    const user = ctx.directory.users.get(claims.oid);
    if (!user || userRefusal(user, 'grant') !== undefined) return { ok: false, reason: 'revoked', claims };
    // S157: a deny decision never depends on the bounded store of issued tokens. Issued before an admin revoked
    // the user's grants, or before a grant of this user to this app was revoked (a code replay): the record, if
    // the store still has it, knows the exact time; otherwise `iat`, which errs on the side of refusing.
    const revokedAt = tokenRevokedAt(ctx, claims);
    const issuedAt = record?.issuedAt ?? (typeof claims.iat === 'number' ? claims.iat * 1000 : 0);
    if (revokedAt !== undefined && issuedAt <= revokedAt) return { ok: false, reason: 'revoked', claims };
  }
  return { ok: true, claims, record };
}

/** The client app a token was issued to: `appid` (v1) or `azp` (v2). */
function tokenClientId(claims: Record<string, unknown>): string {
  const id = claims.appid ?? claims.azp;
  return typeof id === 'string' ? id : '';
}

/** S158: the app is registered (or is a managed identity of this resource) and not disabled. */
function clientAppActive(ctx: EmulatorContext, clientId: string): boolean {
  const app = ctx.directory.apps.get(clientId);
  if (app) return appEnabled(app);
  const m = ctx.directory.managedIdentities;
  return m.systemAssigned?.clientId === clientId || m.userAssigned.some((u) => u.clientId === clientId);
}

/**
 * S157: when a user's token must have been issued after to be valid (ms): the later of an admin's revocation of
 * the user and a revocation of a grant of the user to the token's app. Undefined: neither.
 */
export function tokenRevokedAt(ctx: EmulatorContext, claims: Record<string, unknown>): number | undefined {
  const oid = typeof claims.oid === 'string' ? claims.oid : '';
  const times = [
    ctx.state.revokedUsers.revokedAt(oid),
    ctx.state.revokedUserApps.revokedAt(`${oid}|${tokenClientId(claims)}`),
  ].filter((t): t is number => t !== undefined);
  return times.length ? Math.max(...times) : undefined;
}

/**
 * An `id_token_hint` this emulator issued (OpenID Connect RP-Initiated Logout 1.0 §2): signed with a published
 * key, our issuer, an ID token (not an access token). Its lifetime is not checked, as the specification allows
 * an expired hint. Returns whom it names and the app it was issued to, or undefined.
 */
export async function verifyIdTokenHint(
  ctx: EmulatorContext,
  token: string,
): Promise<{ oid: string; aud: string } | undefined> {
  if (token.length > 16_384) return undefined;
  let claims: JWTPayload & Record<string, unknown>;
  try {
    const header = decodeProtectedHeader(token);
    const key = header.kid ? ctx.keys.find(header.kid) : undefined;
    if (!key || header.alg !== 'RS256') return undefined;
    const { payload } = await compactVerify(token, createPublicKey(key.privateKey), {
      algorithms: ['RS256'],
    });
    claims = JSON.parse(new TextDecoder().decode(payload)) as JWTPayload & Record<string, unknown>;
  } catch {
    return undefined;
  }
  const iss = typeof claims.iss === 'string' ? claims.iss : '';
  if (!iss.startsWith(`${ctx.url}/`)) return undefined;
  if (typeof claims.scp === 'string' || claims.idtyp === 'app') return undefined; // an access token
  if (typeof claims.oid !== 'string' || typeof claims.aud !== 'string') return undefined;
  return { oid: claims.oid, aud: claims.aud };
}
