import type { EmulatorContext } from '../context.js';
import { stableGuid } from '../directory/ids.js';
import type { App, User } from '../directory/model.js';
import { findResource, GRAPH_APP_ID, GRAPH_RESOURCE, type Resource } from '../directory/resources.js';
import { grantedPermissions } from '../directory/consent.js';
import { clientInfo, halfHash, nowSeconds, opaque, pairwiseSub } from './claims.js';
import type { ClaimsRequest } from './claims-request.js';
import { v1Issuer, v2Issuer } from './issuer.js';
import { expandDelegated, type RequestedScopes, responseScope, writtenScopes } from '../directory/scopes.js';
import { signJwt } from './sign.js';
import type { AccessTokenRecord } from '../state/records.js';

/** How the client authenticated: 0 public, 1 secret, 2 certificate (`appidacr` / `azpacr`). */
export type ClientAuthLevel = '0' | '1' | '2';

export interface DelegatedGrant {
  app: App;
  user: User;
  scopes: RequestedScopes;
  authTime: number;
  grantId: string;
  authLevel: ClientAuthLevel;
  /** S140: the token request's `claims` (cp1: the client handles claims challenges). */
  claimsRequest: ClaimsRequest;
  nonce?: string;
  clientInfo: boolean;
  /**
   * Single-page apps: when the refresh token expires, in ms since the epoch, fixed at the sign-in and carried
   * over by every refresh (AADSTS700084 after). Undefined for every other client.
   */
  spaExpiresAt?: number;
  /** Hybrid flow / max_age: extra ID-token claims. */
  code?: string;
  includeAuthTime?: boolean;
}

export type TokenResponse = Record<string, string | number>;

const servicePrincipals = new Map<string, string>();

/** The object id of an app's service principal in a tenant (stable, derived; cached: it is on the hot path). */
export function servicePrincipalId(clientId: string, tenantId: string): string {
  const key = `${clientId}:${tenantId}`;
  let id = servicePrincipals.get(key);
  if (!id) {
    id = stableGuid(`sp:${key}`);
    if (servicePrincipals.size > 10_000) servicePrincipals.clear();
    servicePrincipals.set(key, id);
  }
  return id;
}

function preview(token: string): string {
  return `${token.slice(0, 8)}…(${token.length} chars)`;
}

/**
 * Signs an access token with the active key and records it (introspection, revocation, the admin's lists) until
 * it expires: one record of the same form for delegated and app-only tokens.
 */
async function signAccessToken(
  ctx: EmulatorContext,
  claims: Record<string, unknown>,
  record: Omit<AccessTokenRecord, 'issuedAt' | 'preview'>,
): Promise<string> {
  const accessToken = await signJwt(claims, ctx.keys.active, true);
  const { expiresAt, ...who } = record;
  ctx.state.accessTokens.set(
    record.uti,
    { ...who, issuedAt: Date.now(), expiresAt, preview: preview(accessToken) },
    expiresAt,
  );
  return accessToken;
}

/** The resource a delegated request's access token is for: its first resource, or Graph for OIDC-only requests. */
export function primaryResource(
  ctx: EmulatorContext,
  scopes: RequestedScopes,
): { resource: Resource; identifier: string; values: string[] } {
  const first = scopes.resources[0];
  if (!first)
    return { resource: findResource(ctx.directory, GRAPH_RESOURCE)!, identifier: GRAPH_RESOURCE, values: [] };
  return {
    resource: findResource(ctx.directory, first.appId)!,
    identifier: first.identifier,
    values: first.scopes,
  };
}

/**
 * S140: the lifetime and extra claims of an access token for `resource`, from the token request's `claims`:
 * a client declaring cp1 (it handles claims challenges) gets `xms_cc`, and for a resource that evaluates access
 * continuously (the emulator's Graph) the long CAE lifetime (Entra: 20 to 28 hours). Everything else: today's.
 */
function accessTokenTerms(
  ctx: EmulatorContext,
  resource: Resource,
  { capabilities }: ClaimsRequest,
): { lifetime: number; extra: { xms_cc?: string[] } } {
  if (!capabilities.includes('cp1')) return { lifetime: ctx.settings.accessTokenLifetime, extra: {} };
  const cae = resource.appId === GRAPH_APP_ID;
  return {
    lifetime: cae ? ctx.settings.caeAccessTokenLifetime : ctx.settings.accessTokenLifetime,
    extra: { xms_cc: capabilities },
  };
}

/** Issues the ID token alone (hybrid authorize responses). */
export async function issueIdToken(
  ctx: EmulatorContext,
  g: Omit<DelegatedGrant, 'claimsRequest'>,
  accessToken?: string,
): Promise<string> {
  const iat = nowSeconds();
  const profile = g.scopes.oidc.includes('profile');
  const claims: Record<string, unknown> = {
    aud: g.app.clientId,
    iss: v2Issuer(ctx.url, g.user.tenantId),
    iat,
    nbf: iat,
    exp: iat + ctx.settings.idTokenLifetime,
    aio: opaque(24),
    ...(profile ? { name: g.user.displayName, preferred_username: g.user.username } : {}),
    ...(g.scopes.oidc.includes('email') && g.user.mail ? { email: g.user.mail } : {}),
    ...(g.nonce ? { nonce: g.nonce } : {}),
    oid: g.user.id,
    rh: opaque(16),
    sub: pairwiseSub(g.user.id, g.app.clientId),
    tid: g.user.tenantId,
    uti: opaque(16),
    ver: '2.0',
    ...(g.includeAuthTime ? { auth_time: g.authTime } : {}),
    ...(g.code ? { c_hash: halfHash(g.code) } : {}),
    ...(accessToken ? { at_hash: halfHash(accessToken) } : {}),
  };
  return signJwt(claims, ctx.keys.active, false);
}

/** Issues a delegated access token (v1 or v2 as the resource asks) and, as requested, ID and refresh tokens. */
export async function issueDelegated(ctx: EmulatorContext, g: DelegatedGrant): Promise<TokenResponse> {
  const { resource, identifier } = primaryResource(ctx, g.scopes);
  const first = g.scopes.resources[0];
  const values = first ? expandDelegated(ctx.directory, g.app, first) : [];
  // The token carries what was asked plus what the user (or an admin) consented to earlier for this resource.
  const granted = new Set(values);
  if (first)
    for (const p of grantedPermissions(ctx, g.app, g.user))
      if (p.startsWith(`${resource.appId}/`)) granted.add(p.slice(resource.appId.length + 1));
  const scp = first ? [...granted].join(' ') : g.scopes.oidc.filter((s) => s !== 'offline_access').join(' ');
  const iat = nowSeconds();
  const { lifetime, extra } = accessTokenTerms(ctx, resource, g.claimsRequest);
  const uti = opaque(16);
  const common = {
    iat,
    nbf: iat,
    exp: iat + lifetime,
    aio: opaque(24),
    name: g.user.displayName,
    oid: g.user.id,
    rh: opaque(16),
    scp,
    sub: pairwiseSub(g.user.id, resource.appId),
    tid: g.user.tenantId,
    uti,
    ...extra,
  };
  const claims =
    resource.accessTokenVersion === 1
      ? {
          aud: identifier,
          iss: v1Issuer(ctx.url, g.user.tenantId),
          ...common,
          acr: '1',
          amr: ['pwd'],
          app_displayname: g.app.name,
          appid: g.app.clientId,
          appidacr: g.authLevel,
          family_name: g.user.surname ?? undefined,
          given_name: g.user.givenName ?? undefined,
          idtyp: 'user',
          ipaddr: '127.0.0.1',
          unique_name: g.user.username,
          upn: g.user.username,
          ver: '1.0',
        }
      : {
          aud: resource.appId,
          iss: v2Issuer(ctx.url, g.user.tenantId),
          ...common,
          azp: g.app.clientId,
          azpacr: g.authLevel,
          preferred_username: g.user.username,
          ver: '2.0',
        };
  const accessToken = await signAccessToken(ctx, claims, {
    uti,
    kind: 'delegated',
    clientId: g.app.clientId,
    subject: g.user.username,
    userId: g.user.id,
    grantId: g.grantId,
    expiresAt: (iat + lifetime) * 1000,
  });
  const body: TokenResponse = {
    token_type: 'Bearer',
    scope: responseScope(g.scopes, [...granted]),
    expires_in: lifetime,
    ext_expires_in: lifetime,
    access_token: accessToken,
  };
  if (g.scopes.oidc.includes('offline_access')) body.refresh_token = createRefreshToken(ctx, g, identifier);
  if (g.scopes.oidc.includes('openid'))
    body.id_token = await issueIdToken(ctx, { ...g, code: undefined }, undefined);
  if (g.clientInfo) body.client_info = clientInfo(g.user.id, g.user.tenantId);
  return body;
}

/** A single-page app's refresh token is remembered this long past its fixed expiry, to say why it is refused. */
const SPA_EXPIRED_KEPT_MS = 24 * 3600_000;

function createRefreshToken(ctx: EmulatorContext, g: DelegatedGrant, identifier: string): string {
  const first = g.scopes.resources[0];
  const token = `1.${opaque(96)}`;
  const now = Date.now();
  const expiresAt =
    g.spaExpiresAt !== undefined
      ? g.spaExpiresAt + SPA_EXPIRED_KEPT_MS
      : now + ctx.settings.refreshTokenLifetime * 1000;
  ctx.state.refreshTokens.set(
    token,
    {
      clientId: g.app.clientId,
      userId: g.user.id,
      tenantId: g.user.tenantId,
      oidc: g.scopes.oidc,
      resource: identifier,
      resourceScopes: first ? writtenScopes(first) : [],
      grantId: g.grantId,
      authTime: g.authTime,
      issuedAt: now,
      lastUsedAt: now,
      ...(g.spaExpiresAt !== undefined ? { spaExpiresAt: g.spaExpiresAt } : {}),
    },
    expiresAt,
  );
  return token;
}

/**
 * Who an app-only token is for when it is not an app registration's own service principal: a managed identity
 * (S118), with the object id of its service principal and the claims Entra adds for it (`xms_mirid`).
 */
export interface AppOnlyPrincipal {
  objectId: string;
  claims: Record<string, string>;
}

/** Issues an app-only access token (client credentials, managed identities): `roles`, `idtyp` app, no refresh or ID token. */
export async function issueAppOnly(
  ctx: EmulatorContext,
  app: Pick<App, 'clientId' | 'name'>,
  tenantId: string,
  resource: Resource,
  identifier: string,
  roles: string[],
  authLevel: ClientAuthLevel,
  claimsRequest: ClaimsRequest,
  principal?: AppOnlyPrincipal,
): Promise<TokenResponse> {
  const iat = nowSeconds();
  const { lifetime, extra } = accessTokenTerms(ctx, resource, claimsRequest);
  const uti = opaque(16);
  const sp = principal?.objectId ?? servicePrincipalId(app.clientId, tenantId);
  const common = {
    iat,
    nbf: iat,
    exp: iat + lifetime,
    aio: opaque(24),
    idtyp: 'app',
    oid: sp,
    rh: opaque(16),
    sub: sp,
    tid: tenantId,
    uti,
    ...principal?.claims,
    ...extra,
  };
  const roleClaim = roles.length ? { roles } : {};
  const claims =
    resource.accessTokenVersion === 1
      ? {
          aud: identifier,
          iss: v1Issuer(ctx.url, tenantId),
          ...common,
          ...roleClaim,
          app_displayname: app.name,
          appid: app.clientId,
          appidacr: authLevel,
          ver: '1.0',
        }
      : {
          aud: resource.appId,
          iss: v2Issuer(ctx.url, tenantId),
          ...common,
          ...roleClaim,
          azp: app.clientId,
          azpacr: authLevel,
          ver: '2.0',
        };
  const accessToken = await signAccessToken(ctx, claims, {
    uti,
    kind: 'app',
    clientId: app.clientId,
    subject: app.name,
    expiresAt: (iat + lifetime) * 1000,
  });
  return { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken };
}
