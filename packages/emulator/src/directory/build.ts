import { X509Certificate } from 'node:crypto';
import { DirectoryConfigError } from '../errors/directory-config-error.js';
import { firstPartyApps } from './first-party.js';
import { stableGuid } from './ids.js';
import { buildManagedIdentities } from './managed-identities.js';
import { isOwnIssuerPath } from './issuer-names.js';
import { isEntraLoopbackRedirectHost } from './redirect-uri.js';
import { isLoopbackHost } from '../http/loopback.js';
import {
  type App,
  DEFAULT_FEDERATION_AUDIENCE,
  type Directory,
  type FederatedCredential,
  isPublicClient,
  type Tenant,
  type User,
} from './model.js';
import type { AppInput, ConfigInput, TenantInput, UserInput } from './schema.js';

export function buildTenant(t: TenantInput): Tenant {
  return {
    id: (t.id ?? stableGuid(`tenant:${t.domain}`)).toLowerCase(),
    domain: t.domain,
    name: t.name ?? t.domain,
  };
}

function tenantFor(dir: Directory, ref: string | undefined, what: string): Tenant {
  if (ref === undefined) {
    const first = dir.tenants.values().next().value;
    if (!first) throw new DirectoryConfigError(`${what}: no tenant to put it in`);
    return first;
  }
  const lower = ref.toLowerCase();
  for (const t of dir.tenants.values()) if (t.id === lower || t.domain.toLowerCase() === lower) return t;
  throw new DirectoryConfigError(`${what}: unknown tenant '${ref}'`);
}

export function buildUser(dir: Directory, u: UserInput): User {
  const domain = u.username.split('@')[1]!;
  const tenant = tenantFor(dir, u.tenant ?? matchDomain(dir, domain), `user ${u.username}`);
  const local = u.username.split('@')[0]!;
  const [given, ...rest] = (u.displayName ?? local).split(' ');
  const user: User = {
    id: (u.id ?? stableGuid(`user:${u.username.toLowerCase()}`)).toLowerCase(),
    tenantId: tenant.id,
    username: u.username,
    password: u.password,
    displayName: u.displayName ?? local,
    givenName: u.givenName ?? given ?? null,
    surname: u.surname ?? (rest.length ? rest.join(' ') : null),
    mail: u.mail ?? u.username,
    jobTitle: u.jobTitle ?? null,
    scenarios: { ...u.scenarios },
  };
  for (const other of dir.users.values()) {
    if (other.username.toLowerCase() === user.username.toLowerCase() && other.id !== user.id) {
      throw new DirectoryConfigError(`user ${u.username}: username already taken`);
    }
  }
  return user;
}

function matchDomain(dir: Directory, domain: string): string | undefined {
  for (const t of dir.tenants.values()) if (t.domain.toLowerCase() === domain.toLowerCase()) return t.id;
  return undefined;
}

export function buildApp(dir: Directory, a: AppInput): App {
  const tenant = tenantFor(dir, a.tenant, `app ${a.name}`);
  const clientId = (a.clientId ?? stableGuid(`app:${tenant.id}:${a.name}`)).toLowerCase();
  if (isPublicClient(a) && (a.secret || a.certificates?.length || a.federatedIdentityCredentials?.length)) {
    const kind = a.type === 'spa' ? 'a single-page app' : 'a public client';
    throw new DirectoryConfigError(
      `app ${a.name}: ${kind} cannot have a secret, certificate or federated identity credential`,
    );
  }
  const spaRedirectUris = platformRedirectUris(a);
  const redirectUris = [...(a.redirectUris ?? []), ...spaRedirectUris];
  for (const uri of redirectUris) validateRedirectUri(uri, a.name);
  const credentials: App['credentials'] = [];
  if (a.secret)
    credentials.push({ secret: a.secret, ...(a.secretExpiresAt ? { expiresAt: a.secretExpiresAt } : {}) });
  for (const pem of a.certificates ?? []) credentials.push({ certificatePem: checkCertificate(pem, a.name) });
  const exposesApi = a.type === 'api' || !!a.appIdUri || !!a.scopes?.length || !!a.appRoles?.length;
  return {
    clientId,
    name: a.name,
    type: a.type,
    tenantId: tenant.id,
    signInAudience: a.signInAudience ?? 'AzureADMultipleOrgs',
    redirectUris,
    spaRedirectUris,
    postLogoutRedirectUris: a.postLogoutRedirectUris ?? [],
    credentials,
    federatedCredentials: buildFederatedCredentials(a),
    allowPublicClientFlows: a.allowPublicClientFlows ?? a.type === 'public',
    idTokenIssuance: a.idTokenIssuance ?? a.type === 'web',
    delegatedPermissions: a.delegatedPermissions ?? {},
    applicationPermissions: a.applicationPermissions ?? {},
    adminConsented: a.adminConsented ?? false,
    ...(exposesApi ? { appIdUri: a.appIdUri ?? `api://${clientId}` } : {}),
    exposedScopes: a.scopes ?? [],
    appRoles: a.appRoles ?? [],
    accessTokenVersion: a.accessTokenVersion ?? 2,
    scenarios: { ...a.scenarios },
  };
}

/**
 * S138: the app's federated identity credentials, checked as Entra checks them at registration: the issuer an
 * absolute https URL (http only for a loopback issuer or the emulator's own), names unique, no two for the same
 * issuer and subject.
 */
function buildFederatedCredentials(a: AppInput): FederatedCredential[] {
  const out: FederatedCredential[] = [];
  for (const f of a.federatedIdentityCredentials ?? []) {
    const what = `app ${a.name}: federated identity credential ${f.name}`;
    let url: URL;
    try {
      url = new URL(f.issuer);
    } catch {
      throw new DirectoryConfigError(`${what}: issuer '${f.issuer}' is not an absolute URL`);
    }
    // http for an issuer on this machine, and for the emulator's own CI issuers (S137) when it serves http
    // under another name (--public-url, in a container network).
    const local = isLoopbackHost(url.hostname) || isOwnIssuerPath(url.pathname);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local))
      throw new DirectoryConfigError(
        `${what}: issuer must use https (http only for a loopback issuer or the emulator's own /issuers/NAME)`,
      );
    if (out.some((o) => o.name.toLowerCase() === f.name.toLowerCase()))
      throw new DirectoryConfigError(`${what}: the name is already used by another of the app's credentials`);
    if (out.some((o) => o.issuer === f.issuer && o.subject === f.subject))
      throw new DirectoryConfigError(
        `${what}: another credential of the app has the same issuer and subject`,
      );
    out.push({
      name: f.name,
      issuer: f.issuer,
      subject: f.subject,
      audiences: f.audiences ?? [DEFAULT_FEDERATION_AUDIENCE],
    });
  }
  return out;
}

/**
 * The redirect URIs of the app's `spa` platform, checked against its other ones: a daemon has none, a
 * single-page app has only these, and a URI belongs to one platform (its type decides how codes sent to it are
 * redeemed).
 */
function platformRedirectUris(a: AppInput): string[] {
  const spa = a.spaRedirectUris ?? [];
  const other = a.redirectUris ?? [];
  if (a.type === 'daemon' && (other.length || spa.length)) {
    throw new DirectoryConfigError(`app ${a.name}: a daemon app has no redirect URIs`);
  }
  if (a.type === 'spa' && other.length) {
    throw new DirectoryConfigError(
      `app ${a.name}: a single-page app's redirect URIs go in spaRedirectUris (redirectUris are for web and mobile/desktop apps)`,
    );
  }
  const both = spa.find((uri) => other.includes(uri));
  if (both !== undefined) {
    throw new DirectoryConfigError(
      `app ${a.name}: redirect URI '${both}' is registered both as spa and as ${a.type === 'web' || a.type === 'api' ? 'web' : 'mobile/desktop'}; keep it in one list`,
    );
  }
  return spa;
}

/** A credential certificate must be a parseable PEM certificate: client assertions are checked against it. */
export function checkCertificate(pem: string, appName: string): string {
  try {
    new X509Certificate(pem);
  } catch {
    throw new DirectoryConfigError(`app ${appName}: certificate is not a valid PEM certificate`);
  }
  if (!/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(pem))
    throw new DirectoryConfigError(`app ${appName}: certificate is not a valid PEM certificate`);
  return pem;
}

/** Registration-time checks Entra makes on redirect URIs. */
export function validateRedirectUri(uri: string, appName: string): void {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new DirectoryConfigError(`app ${appName}: redirect URI '${uri}' is not an absolute URI`);
  }
  const loopback = isEntraLoopbackRedirectHost(url.hostname);
  if (
    url.protocol !== 'https:' &&
    !(url.protocol === 'http:' && loopback) &&
    !/^[a-z][a-z0-9+.-]*:$/.test(url.protocol)
  ) {
    throw new DirectoryConfigError(
      `app ${appName}: redirect URI '${uri}' must use https (http only for localhost)`,
    );
  }
  if (url.protocol === 'http:' && !loopback) {
    throw new DirectoryConfigError(
      `app ${appName}: redirect URI '${uri}' must use https (http only for localhost)`,
    );
  }
  if (uri.includes('*'))
    throw new DirectoryConfigError(`app ${appName}: wildcard redirect URIs are not supported`);
}

/** Builds a directory from a validated config. */
export function buildDirectory(config: ConfigInput): Directory {
  const dir: Directory = {
    tenants: new Map(),
    apps: new Map(),
    users: new Map(),
    managedIdentities: { userAssigned: [] },
  };
  for (const t of config.tenants) {
    const tenant = buildTenant(t);
    if (dir.tenants.has(tenant.id)) throw new DirectoryConfigError(`tenant ${t.domain}: duplicate id`);
    dir.tenants.set(tenant.id, tenant);
  }
  for (const u of config.users) {
    const user = buildUser(dir, u);
    if (dir.users.has(user.id)) throw new DirectoryConfigError(`user ${u.username}: duplicate id`);
    dir.users.set(user.id, user);
  }
  for (const a of config.apps) {
    const app = buildApp(dir, a);
    if (dir.apps.has(app.clientId)) throw new DirectoryConfigError(`app ${a.name}: duplicate client id`);
    dir.apps.set(app.clientId, app);
  }
  // S111: Microsoft's first-party apps are in every tenant; a config may register the same client id itself.
  for (const a of firstPartyApps())
    if (!dir.apps.has(a.clientId!)) dir.apps.set(a.clientId!, buildApp(dir, a));
  dir.managedIdentities = buildManagedIdentities(dir, config.managedIdentities);
  return dir;
}
