import type { EmulatorContext } from '../context.js';
import { buildApp, buildTenant, buildUser, checkCertificate } from '../directory/build.js';
import { DirectoryConfigError } from '../errors/directory-config-error.js';
import {
  type App,
  type Directory,
  isPublicClient,
  type ManagedIdentities,
  type ManagedIdentity,
  type Scenarios,
  type Tenant,
  type User,
} from '../directory/model.js';
import { takeRoom } from '../directory/limits.js';
import type { AppInput, TenantInput, UserInput } from '../directory/schema.js';

/**
 * Runtime changes to a running emulator, shared by the admin REST API and the programmatic handle. S93: every
 * addition passes takeRoom, so the directory stays within DIRECTORY_LIMITS.
 */

export interface DirectorySummary {
  tenants: { id: string; domain: string; name: string }[];
  apps: {
    clientId: string;
    name: string;
    type: string;
    tenantId: string;
    secret?: string;
    redirectUris: string[];
    /** The ones of the `spa` platform (also in `redirectUris`). */
    spaRedirectUris?: string[];
    appIdUri?: string;
    scopes?: string[];
    roles?: string[];
    /** S155: what a client assertion's `iss`, `sub` and `aud` must be, so a user can check the token they mint. */
    federatedIdentityCredentials?: { name: string; issuer: string; subject: string; audiences: string[] }[];
  }[];
  users: { username: string; password: string; tenantId: string; id: string; displayName: string }[];
  /** The managed identities IMDS and the App Service endpoint hand out tokens for (docs/azure-sdk.md). */
  managedIdentities: {
    /** The App Service protocol's `IDENTITY_HEADER`; absent: that endpoint refuses every request. */
    identityHeader?: string;
    /** Each identity as the directory holds it, but for its granted app roles. */
    identities: Omit<ManagedIdentity, 'applicationPermissions'>[];
  };
}

export function summarizeApp(app: App): DirectorySummary['apps'][number] {
  const secret = app.credentials.find((c) => c.secret)?.secret;
  return {
    clientId: app.clientId,
    name: app.name,
    type: app.type,
    tenantId: app.tenantId,
    ...(secret ? { secret } : {}),
    redirectUris: app.redirectUris,
    ...(app.spaRedirectUris.length ? { spaRedirectUris: app.spaRedirectUris } : {}),
    ...(app.appIdUri ? { appIdUri: app.appIdUri } : {}),
    ...(app.exposedScopes.length
      ? { scopes: app.exposedScopes.map((s) => `${app.appIdUri}/${s.value}`) }
      : {}),
    ...(app.appRoles.length ? { roles: app.appRoles.map((r) => r.value) } : {}),
    ...(app.federatedCredentials.length
      ? {
          federatedIdentityCredentials: app.federatedCredentials.map(
            ({ name, issuer, subject, audiences }) => ({
              name,
              issuer,
              subject,
              audiences,
            }),
          ),
        }
      : {}),
  };
}

export function summarizeDirectory(ctx: EmulatorContext): DirectorySummary {
  return {
    tenants: [...ctx.directory.tenants.values()].map((t) => ({ id: t.id, domain: t.domain, name: t.name })),
    apps: [...ctx.directory.apps.values()].map(summarizeApp),
    users: [...ctx.directory.users.values()].map((u) => ({
      username: u.username,
      password: u.password,
      tenantId: u.tenantId,
      id: u.id,
      displayName: u.displayName,
    })),
    managedIdentities: summarizeIdentities(ctx.directory.managedIdentities),
  };
}

function summarizeIdentities(m: ManagedIdentities): DirectorySummary['managedIdentities'] {
  const all = [...(m.systemAssigned ? [m.systemAssigned] : []), ...m.userAssigned];
  return {
    ...(m.identityHeader ? { identityHeader: m.identityHeader } : {}),
    identities: all.map(({ kind, name, tenantId, clientId, principalId, resourceId }) => ({
      kind,
      name,
      tenantId,
      clientId,
      principalId,
      resourceId,
    })),
  };
}

/**
 * Adds an entry built from `input` at runtime: refused when it clashes with one the directory holds (`clash`
 * names it), then only when the directory's limits leave room for it (directory/limits.ts).
 */
function addEntry<K extends 'tenants' | 'apps' | 'users'>(
  ctx: EmulatorContext,
  kind: K,
  input: unknown,
  key: string,
  entry: Directory[K] extends Map<string, infer T> ? T : never,
  clash: string | undefined,
): void {
  if (clash) throw new DirectoryConfigError(`${clash} already exists`);
  takeRoom(ctx.directory, kind, input);
  (ctx.directory[kind] as Map<string, typeof entry>).set(key, entry);
}

export function addTenant(ctx: EmulatorContext, input: TenantInput): Tenant {
  const tenant = buildTenant(input);
  const taken = [...ctx.directory.tenants.values()].some(
    (t) => t.id === tenant.id || t.domain.toLowerCase() === tenant.domain.toLowerCase(),
  );
  addEntry(ctx, 'tenants', input, tenant.id, tenant, taken ? `tenant ${input.domain}` : undefined);
  return tenant;
}

export function addApp(ctx: EmulatorContext, input: AppInput): App {
  const app = buildApp(ctx.directory, input);
  const taken = ctx.directory.apps.has(app.clientId);
  addEntry(ctx, 'apps', input, app.clientId, app, taken ? `app ${app.clientId}` : undefined);
  return app;
}

export function addUser(ctx: EmulatorContext, input: UserInput): User {
  const user = buildUser(ctx.directory, input);
  const taken = ctx.directory.users.has(user.id);
  addEntry(ctx, 'users', input, user.id, user, taken ? `user ${user.username}` : undefined);
  return user;
}

export function findUser(ctx: EmulatorContext, ref: string): User | undefined {
  const lower = ref.toLowerCase();
  for (const u of ctx.directory.users.values()) {
    if (
      u.id === lower ||
      u.username.toLowerCase() === lower ||
      u.username.toLowerCase().split('@')[0] === lower
    )
      return u;
  }
  return undefined;
}

export async function parseScenarios(raw: unknown): Promise<Scenarios> {
  const { describeIssues, scenariosInput } = await import('../directory/schema.js');
  const parsed = scenariosInput.safeParse(raw);
  if (!parsed.success)
    throw new DirectoryConfigError(`invalid scenarios: ${describeIssues(parsed.error).join('; ')}`);
  return parsed.data;
}

/** Replaces the scenario switches of a user (id, username or its part before @) or an app (client id). */
export function setScenarios(
  ctx: EmulatorContext,
  target: { user?: string; app?: string },
  scenarios: Scenarios,
): void {
  if (target.user) {
    const user = findUser(ctx, target.user);
    if (!user) throw new DirectoryConfigError(`no user '${target.user}'`);
    user.scenarios = { ...scenarios };
  }
  if (target.app) {
    const app = ctx.directory.apps.get(target.app.toLowerCase());
    if (!app) throw new DirectoryConfigError(`no app '${target.app}'`);
    app.scenarios = { ...scenarios };
  }
}

export function addCertificate(ctx: EmulatorContext, clientId: string, certificatePem: string): void {
  const app = ctx.directory.apps.get(clientId.toLowerCase());
  if (!app) throw new DirectoryConfigError(`no app '${clientId}'`);
  if (isPublicClient(app)) throw new DirectoryConfigError(`a ${app.type} client cannot have a certificate`);
  if (!certificatePem.includes('BEGIN CERTIFICATE'))
    throw new DirectoryConfigError('certificatePem must be a PEM certificate');
  const checked = checkCertificate(certificatePem, app.name);
  takeRoom(ctx.directory, 'certificates', certificatePem, app);
  app.credentials.push({ certificatePem: checked });
}
