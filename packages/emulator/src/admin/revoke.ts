import type { EmulatorContext } from '../context.js';
import { DirectoryConfigError } from '../errors/directory-config-error.js';
import { findUser } from './operations.js';
import { longestAccessTokenMs } from '../state/revoke-grant.js';

/**
 * Revokes everything a user holds, as an admin's "revoke sessions" does: refresh tokens and every access token
 * (introspection then answers `active: false`), authorization codes and approved device codes not yet redeemed,
 * sign-ins in progress, and the user's place in every SSO session. Returns how many grants were revoked.
 */
export function revokeUserGrants(ctx: EmulatorContext, userRef: string): number {
  const user = findUser(ctx, userRef);
  if (!user) throw new DirectoryConfigError(`no user '${userRef}'`);
  const { state } = ctx;
  const now = Date.now();
  const grants = new Set<string>();
  for (const rt of state.refreshTokens.values(now)) if (rt.userId === user.id) grants.add(rt.grantId);
  for (const at of state.accessTokens.values(now))
    if (at.userId === user.id && at.grantId) grants.add(at.grantId);
  for (const code of state.codes.values(now)) if (code.userId === user.id) grants.add(code.grantId);
  for (const dc of state.deviceCodes.values(now)) if (dc.userId === user.id) grants.add(dc.grantId);
  let count = 0;
  const until = now + ctx.settings.refreshTokenLifetime * 1000;
  for (const grantId of grants) {
    if (state.revokedGrants.has(grantId, now)) continue;
    state.revokedGrants.revoke(grantId, now, until);
    count++;
  }
  // Access tokens whose records the bounded store has already dropped: refused by issue time instead.
  // Kept as long as the longest access token lives (a CAE token's, S143), plus clock skew.
  state.revokedUsers.revoke(user.id, now, now + longestAccessTokenMs(ctx));
  for (const tx of state.transactions.values(now))
    if (tx.userId === user.id) state.transactions.delete(tx.id);
  for (const session of state.sessions.values(now)) {
    if (!session.users.some((u) => u.userId === user.id)) continue;
    session.users = session.users.filter((u) => u.userId !== user.id);
    if (!session.users.length) state.sessions.delete(session.id);
  }
  return count;
}
