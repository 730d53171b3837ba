import type { EmulatorContext } from '../context.js';
import type { App, User } from '../directory/model.js';
import { resolveTenant } from '../directory/tenants.js';
import { EntraError } from '../errors/entra-error.js';
import { checkUserSwitches } from '../directory/scenarios.js';

/** Can `user` sign in to `app` through this tenant segment? Throws the AADSTS error Entra would. */
export function checkUserMaySignIn(ctx: EmulatorContext, app: App, user: User, tenantSegment: string): void {
  checkUserSwitches(user, 'sign-in');
  checkUserBelongs(ctx, app, user, tenantSegment);
}

/**
 * S205: a user signs in only to their own tenant: an authority naming another tenant (by id or domain), or a
 * single-tenant app of another tenant, refuses them with AADSTS50020 (the emulator models no guests).
 */
export function checkUserBelongs(ctx: EmulatorContext, app: App, user: User, tenantSegment: string): void {
  const t = resolveTenant(ctx.directory, tenantSegment);
  const foreign =
    t.kind === 'consumers' ||
    (t.kind === 'tenant' && t.tenant!.id !== user.tenantId) ||
    (app.signInAudience === 'AzureADMyOrg' && app.tenantId !== user.tenantId);
  if (foreign) {
    throw new EntraError(50020, {
      username: user.username,
      tenant: t.tenant?.id ?? t.segment,
      clientId: app.clientId,
    });
  }
}

export function findUserByName(ctx: EmulatorContext, name: string): User | undefined {
  const lower = name.trim().toLowerCase();
  for (const u of ctx.directory.users.values()) if (u.username.toLowerCase() === lower) return u;
  return undefined;
}
