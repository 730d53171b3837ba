import type { App, Directory } from './model.js';
import { findResource, GRAPH_APP_ID, GRAPH_RESOURCE, type Resource } from './resources.js';
import { EntraError } from '../errors/entra-error.js';

export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

/** The permissions a request asks of one resource, and how the client wrote them. */
export interface ResourceRequest {
  /** The identifier a v1 access token names in `aud`: see {@link audienceIdentifier}. */
  identifier: string;
  appId: string;
  /** Permission values in their registered spelling (`User.Read`), or `.default`. */
  scopes: string[];
  /**
   * How the client wrote the resource in front of its first permission for it: `''` for a bare Microsoft
   * Graph permission (`User.Read`), otherwise the identifier as sent plus the separating slash
   * (`https://graph.microsoft.com/`, `https://management.core.windows.net//`). Token responses name the
   * permissions in this same form (see {@link responseScope}).
   */
  prefix: string;
}

/** A `scope` parameter split into OIDC scopes and per-resource permission values, first resource first. */
export interface RequestedScopes {
  oidc: string[];
  resources: ResourceRequest[];
}

/**
 * Parses a `scope` parameter the way Entra reads it: OIDC scopes bare; `RESOURCE/value` fully qualified;
 * a bare value means Microsoft Graph. Unknown resources → AADSTS500011, unknown values → AADSTS70011.
 */
export function parseScopes(dir: Directory, raw: string, tenant: string): RequestedScopes {
  const out: RequestedScopes = { oidc: [], resources: [] };
  const items = raw.split(/[ ]+/).filter(Boolean);
  if (items.length > 100 || raw.length > 8192) throw new EntraError(70011, { detail: 'Too many scopes.' });
  for (const item of items) {
    const lower = item.toLowerCase();
    if ((OIDC_SCOPES as readonly string[]).includes(lower)) {
      if (!out.oidc.includes(lower)) out.oidc.push(lower);
      continue;
    }
    const slash = item.lastIndexOf('/');
    const identifier = slash === -1 ? GRAPH_RESOURCE : item.slice(0, slash);
    const value = slash === -1 ? item : item.slice(slash + 1);
    const resource = findResource(dir, identifier);
    if (!resource) throw new EntraError(500011, { resource: identifier, tenant });
    const canonical = canonicalValue(resource, value);
    if (!canonical) {
      throw new EntraError(70011, {
        detail: `The scope '${item}' does not exist on the resource '${identifier}'.`,
      });
    }
    let entry = out.resources.find((r) => r.appId === resource.appId);
    if (!entry) {
      entry = {
        identifier: audienceIdentifier(resource, identifier),
        appId: resource.appId,
        scopes: [],
        prefix: slash === -1 ? '' : item.slice(0, slash + 1),
      };
      out.resources.push(entry);
    }
    if (!entry.scopes.includes(canonical)) entry.scopes.push(canonical);
  }
  return out;
}

/**
 * The resource identifier a v1 access token carries in `aud`: the identifier exactly as the client used it —
 * an App ID URI (`https://management.core.windows.net/` keeps its trailing slash: resource servers compare
 * `aud` exactly) or the resource's app id ("In v1.0 tokens, it can be the client ID or the resource URI used in
 * the request", access token claims reference); only Microsoft Graph's slash-terminated alias means
 * `https://graph.microsoft.com`.
 */
export function audienceIdentifier(resource: Resource, used: string): string {
  if (used.toLowerCase() === resource.appId) return resource.appId;
  if (resource.appId === GRAPH_APP_ID && used.endsWith('/')) return GRAPH_RESOURCE;
  return used;
}

function canonicalValue(resource: Resource, value: string): string | undefined {
  if (value === '.default') return value;
  const lower = value.toLowerCase();
  return resource.scopes.find((s) => s.value.toLowerCase() === lower)?.value;
}

/** Delegated scope values a request stands for: `.default` means the app's configured permissions. */
export function expandDelegated(
  dir: Directory,
  app: App,
  entry: { appId: string; scopes: string[] },
): string[] {
  const values = new Set<string>();
  for (const s of entry.scopes) {
    if (s !== '.default') {
      values.add(s);
      continue;
    }
    for (const [identifier, perms] of Object.entries(app.delegatedPermissions)) {
      if (findResource(dir, identifier)?.appId === entry.appId) for (const p of perms) values.add(p);
    }
  }
  return [...values];
}

/**
 * The `scope` of a delegated token response, as Entra writes it (MSAL caches the token under this string and
 * serves a later request from the cache only if every scope it asks for is in it):
 * - the resource's granted permissions, in the form the client asked for them: bare (`User.Read`) when it
 *   wrote them bare, otherwise behind the resource identifier it used (`https://graph.microsoft.com/User.Read`,
 *   `https://management.core.windows.net//user_impersonation`);
 * - `.default`, when asked for, is named too, in the same form;
 * - for Microsoft Graph, the OIDC scopes asked for, with `profile` and `email` added when `openid` was asked;
 *   other resources get no OIDC scopes;
 * - `offline_access` is never named.
 * `granted` are the permission values the access token carries (its `scp`).
 */
export function responseScope(scopes: RequestedScopes, granted: string[]): string {
  const entry = scopes.resources[0];
  const named = entry ? [...granted, ...entry.scopes.filter((s) => s === '.default')] : [];
  const out = named.map((v) => `${entry!.prefix}${v}`);
  if (!entry || entry.appId === GRAPH_APP_ID) {
    const oidc = new Set(scopes.oidc.filter((s) => s !== 'offline_access'));
    if (oidc.has('openid')) for (const s of ['profile', 'email']) oidc.add(s);
    out.push(...oidc);
  }
  return out.join(' ');
}

/**
 * A resource request written back the way the client wrote it (`User.Read`, `https://…//.default`), so that a
 * later refresh without `scope` parses into the same request, form included.
 */
export function writtenScopes(entry: ResourceRequest): string[] {
  return entry.scopes.map((v) => `${entry.prefix}${v}`);
}
