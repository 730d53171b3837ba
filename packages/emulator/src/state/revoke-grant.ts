import type { EmulatorContext } from '../context.js';

/** How long a revocation must be remembered to outlive every access token issued before it (CAE too), in ms. */
export function longestAccessTokenMs(ctx: EmulatorContext): number {
  const longest = Math.max(ctx.settings.accessTokenLifetime, ctx.settings.caeAccessTokenLifetime);
  return (longest + 300) * 1000; // plus clock skew
}

/**
 * Revokes one grant (a code replay, S157): its refresh tokens and codes by grant id, and its access tokens
 * by what they carry themselves (user and client app, issued before now), so that the refusal does not
 * depend on the bounded store of issued tokens still holding their records.
 */
export function revokeGrant(ctx: EmulatorContext, grantId: string, userId: string, clientId: string): void {
  const now = Date.now();
  ctx.state.revokedGrants.revoke(grantId, now, now + ctx.settings.refreshTokenLifetime * 1000);
  ctx.state.revokedUserApps.revoke(`${userId}|${clientId}`, now, now + longestAccessTokenMs(ctx));
}

/**
 * S157: whether a grant is revoked, for something of it that dates from `since` (ms: the sign-in it came from, or
 * the token's issue): its own revocation, or the floor a full revocation store raised (which refuses more).
 */
export function grantRevoked(ctx: EmulatorContext, grantId: string, since: number | undefined): boolean {
  const at = ctx.state.revokedGrants.revokedAt(grantId);
  return at !== undefined && (since ?? 0) <= at;
}
