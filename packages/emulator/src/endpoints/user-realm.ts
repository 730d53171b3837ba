import type { EmulatorContext } from '../context.js';
import { sendJson } from '../http/respond.js';
import type { Exchange } from '../http/route.js';
import { CLOUD_INSTANCE_NAME } from './discovery.js';

/**
 * `GET /common/userrealm/{user}` (ADAL writes `UserRealm`) — user realm discovery, which ADAL runs before every
 * username/password sign-in and MSAL Python before its own: whether the user's domain is managed by the
 * directory (then the password grant follows) or federated (WS-Trust; the emulator has no federated domains).
 * A domain no tenant or user of the emulator has is `Unknown`.
 */
export function userRealm(ctx: EmulatorContext, x: Exchange): void {
  const user = x.params.user!;
  const domain = user.slice(user.lastIndexOf('@') + 1).toLowerCase();
  const managed =
    domain !== '' &&
    ([...ctx.directory.tenants.values()].some((t) => t.domain.toLowerCase() === domain) ||
      [...ctx.directory.users.values()].some((u) => u.username.toLowerCase().endsWith(`@${domain}`)));
  sendJson(
    x.res,
    200,
    managed
      ? {
          ver: '1.0',
          account_type: 'Managed',
          domain_name: domain,
          cloud_instance_name: CLOUD_INSTANCE_NAME,
          cloud_audience_urn: 'urn:federation:MicrosoftOnline',
        }
      : { ver: '1.0', account_type: 'Unknown', cloud_instance_name: CLOUD_INSTANCE_NAME },
    { 'Cache-Control': 'no-store' },
  );
}
