import type { App, Directory } from '../directory/model.js';
import { findResource, GRAPH_RESOURCE, type Resource } from '../directory/resources.js';
import { EntraError } from '../errors/entra-error.js';

export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

/** A `scope` parameter split into OIDC scopes and per-resource permission values, first resource first. */
export interface RequestedScopes {
  oidc: string[];
  resources: { identifier: string; appId: string; scopes: string[] }[];
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
      entry = { identifier: resolveIdentifier(resource, identifier), appId: resource.appId, scopes: [] };
      out.resources.push(entry);
    }
    if (!entry.scopes.includes(canonical)) entry.scopes.push(canonical);
  }
  return out;
}

function resolveIdentifier(resource: Resource, used: string): string {
  // The token's audience is the identifier the client used, minus Graph's trailing-slash alias.
  return used.endsWith('/') ? used.slice(0, -1) : used === resource.appId ? resource.identifiers[0]! : used;
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

/** Formats scopes as Entra returns them: resource scopes fully qualified, OIDC scopes bare. */
export function formatScope(identifier: string, values: string[], oidc: string[]): string {
  return [...values.map((v) => `${identifier}/${v}`), ...oidc].join(' ');
}
