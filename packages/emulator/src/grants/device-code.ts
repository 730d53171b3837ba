import { EntraError } from '../errors/entra-error.js';
import { grantRevoked } from '../state/revoke-grant.js';
import type { TokenResponse } from '../tokens/issue.js';
import { type GrantRequest, invalidGrant, issueForRequest } from './grant-request.js';
import { checkUserGrant } from '../directory/scenarios.js';

/**
 * Device code polling (both `urn:ietf:params:oauth:grant-type:device_code` and the short `device_code`):
 * authorization_pending, slow_down (polled faster than `interval`), authorization_declined, expired_token.
 */
export async function deviceCodeGrant(r: GrantRequest): Promise<TokenResponse> {
  const { ctx, app, p } = r;
  const deviceCode = p.get('device_code') ?? p.get('code');
  if (!deviceCode) throw new EntraError(900144, { name: 'device_code' });
  const entry = ctx.state.deviceCodes.peek(deviceCode);
  if (!entry || entry.value.clientId !== app.clientId)
    throw invalidGrant('The device code is unknown.', 'bad_verification_code');
  const record = entry.value;
  const now = Date.now();
  if (entry.expiresAt <= now) throw new EntraError(70020);
  if (record.status === 'declined') {
    ctx.state.deviceCodes.delete(deviceCode);
    throw new EntraError(65004, {}, { error: 'authorization_declined' });
  }
  if (record.status === 'pending') {
    const tooSoon = record.lastPollAt !== undefined && now - record.lastPollAt < record.interval * 1000 * 0.8;
    record.lastPollAt = now;
    if (tooSoon) throw new EntraError(70016, {}, { error: 'slow_down' });
    throw new EntraError(70016);
  }
  ctx.state.deviceCodes.delete(deviceCode);
  ctx.state.userCodes.delete(record.userCode);
  const user = record.userId ? ctx.directory.users.get(record.userId) : undefined;
  if (!user) throw new EntraError(70020);
  // Approved, then the user's grants were revoked before the device picked the tokens up.
  if (grantRevoked(ctx, record.grantId, (record.authTime ?? 0) * 1000)) throw new EntraError(50173);
  checkUserGrant(user, app, { refresh: false, resource: record.scopes.resources[0]?.identifier ?? '' });
  return issueForRequest(r, {
    user,
    scopes: record.scopes,
    authTime: record.authTime ?? Math.floor(now / 1000),
    grantId: record.grantId,
  });
}
