import type { EmulatorContext } from '../context.js';
import { EntraError } from '../errors/entra-error.js';
import type { App } from './model.js';

/**
 * S185: the registered app a request names (its client id, any case): AADSTS700016 when there is none, echoing at
 * most 100 characters of the id sent (it is the caller's input).
 */
export function findApp(ctx: EmulatorContext, clientId: string, tenantSegment: string | undefined): App {
  const app = ctx.directory.apps.get(clientId.toLowerCase());
  if (!app) throw new EntraError(700016, { clientId: clientId.slice(0, 100), tenant: tenantSegment });
  return app;
}

/** S185: the app's `disabled` scenario switch is off (the one place it is read). */
export function appEnabled(app: App): boolean {
  return !app.scenarios.disabled;
}

/** S185: AADSTS7000112 for a disabled app: every request of it is refused. */
export function checkAppEnabled(app: App): void {
  if (!appEnabled(app)) throw new EntraError(7000112, { clientId: app.clientId, appName: app.name });
}

/** S185: the registered, enabled app a request names (findApp, then checkAppEnabled). */
export function requireApp(ctx: EmulatorContext, clientId: string, tenantSegment: string | undefined): App {
  const app = findApp(ctx, clientId, tenantSegment);
  checkAppEnabled(app);
  return app;
}
