import type { EmulatorContext } from '../context.js';
import type { App, User } from './model.js';
import { findResource } from './resources.js';
import { EntraError } from '../errors/entra-error.js';
import { expandDelegated, type RequestedScopes } from './scopes.js';

/** `${resourceAppId}/${value}` for every delegated permission a request stands for. */
export function requestedPermissions(ctx: EmulatorContext, app: App, scopes: RequestedScopes): string[] {
  return scopes.resources.flatMap((r) =>
    expandDelegated(ctx.directory, app, r).map((v) => `${r.appId}/${v}`),
  );
}

/** Permissions granted to `app` for `user`: the user's own consents plus tenant-wide admin consent. */
export function grantedPermissions(ctx: EmulatorContext, app: App, user: User): Set<string> {
  const granted = new Set(ctx.state.consents.get(`${user.id}|${app.clientId}`) ?? []);
  if (app.adminConsented) {
    for (const [identifier, values] of Object.entries(app.delegatedPermissions)) {
      const resource = findResource(ctx.directory, identifier);
      if (resource) for (const v of values) granted.add(`${resource.appId}/${v}`);
    }
  }
  return granted;
}

export function missingConsent(
  ctx: EmulatorContext,
  app: App,
  user: User,
  scopes: RequestedScopes,
): string[] {
  const granted = grantedPermissions(ctx, app, user);
  return requestedPermissions(ctx, app, scopes).filter((p) => !granted.has(p));
}

/** AADSTS65001: the app lacks consent it needs (`error` consent_required where the request cannot ask for it). */
export function consentRequired(app: App, error?: string): EntraError {
  return new EntraError(65001, { clientId: app.clientId, appName: app.name }, error ? { error } : {});
}

/** A token request for `scopes` needs every delegated permission among them consented to (AADSTS65001). */
export function requireConsent(ctx: EmulatorContext, app: App, user: User, scopes: RequestedScopes): void {
  if (missingConsent(ctx, app, user, scopes).length) throw consentRequired(app);
}

export function recordConsent(ctx: EmulatorContext, app: App, user: User, scopes: RequestedScopes): void {
  const key = `${user.id}|${app.clientId}`;
  const set = ctx.state.consents.get(key) ?? new Set<string>();
  for (const p of requestedPermissions(ctx, app, scopes)) set.add(p);
  ctx.state.consents.set(key, set);
}

const OIDC_DESCRIPTIONS: Record<string, string> = {
  openid: 'Sign you in',
  profile: 'View your basic profile',
  email: 'View your email address',
  offline_access: 'Maintain access to data you have given it access to',
};

/** Lines for the consent page: each permission's description and its fully qualified scope. */
export function describePermissions(
  ctx: EmulatorContext,
  app: App,
  scopes: RequestedScopes,
): { scope: string; description: string }[] {
  const out: { scope: string; description: string }[] = [];
  for (const r of scopes.resources) {
    const resource = findResource(ctx.directory, r.appId);
    for (const v of expandDelegated(ctx.directory, app, r)) {
      const description = resource?.scopes.find((s) => s.value === v)?.description ?? v;
      out.push({ scope: `${r.identifier}/${v}`, description });
    }
  }
  for (const s of scopes.oidc) out.push({ scope: s, description: OIDC_DESCRIPTIONS[s] ?? s });
  return out;
}
