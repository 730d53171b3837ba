import { decodeJwt } from 'jose';
import type { EmulatorContext } from '../context.js';
import type { ManagedIdentities, ManagedIdentity } from '../directory/model.js';
import { findResource } from '../directory/resources.js';
import { grantedRoles } from '../grants/client-credentials.js';
import type { Params } from '../http/request.js';
import { localCallerRefusal } from '../http/local-callers.js';
import { sendJson } from '../http/respond.js';
import type { Exchange, Handler } from '../http/route.js';
import { issueAppOnly } from '../tokens/issue.js';
import { NO_CLAIMS_REQUEST } from '../tokens/claims-request.js';
import { audienceIdentifier } from '../directory/scopes.js';

/**
 * The managed identity endpoints (the instance metadata service, IMDS, and App Service's identity endpoint) hand
 * out tokens to whoever asks, with no client credential: that is the protocol. What guards them is where the
 * request comes from (S116) and one header an SSRF cannot add (S115). Every protocol is served by the one
 * handler below, so neither check can be left out of a route.
 */

/** Why a request gets no token: the protocol renders it in its own error shape. */
export interface Refusal {
  status: number;
  /** IMDS `error`; App Service has no error code. */
  code: string;
  message: string;
  /** A body of another shape than the protocol's usual error (IMDS's api-version answer). */
  body?: Record<string, unknown>;
}

/** What a selection query parameter names. */
export type Selector = 'clientId' | 'principalId' | 'resourceId';

/** A token as the protocols answer it: every number is a string, as both protocols send them. */
export interface IssuedToken {
  access_token: string;
  client_id: string;
  expires_in: string;
  expires_on: string;
  ext_expires_in: string;
  not_before: string;
  resource: string;
  token_type: 'Bearer';
}

/** One managed identity protocol: its guard, its parameters and its answers. */
export interface ManagedIdentityProtocol {
  name: string;
  /** S115: the protocol's SSRF guard, checked exactly; a refusal, or undefined to go on. */
  guard(ctx: EmulatorContext, x: Exchange): Refusal | undefined;
  apiVersion(value: string | undefined): Refusal | undefined;
  /** Query parameter → what it selects the identity by (S117). */
  selectors: Record<string, Selector>;
  /**
   * With no selector and no system-assigned identity: IMDS uses the one user-assigned identity there is (and
   * refuses when there are several); App Service uses the system-assigned identity only.
   */
  soleUserAssignedByDefault: boolean;
  refusals: {
    duplicate(names: string[]): Refusal;
    missingResource: Refusal;
    severalSelectors(names: string[]): Refusal;
    unknownIdentity: Refusal;
    /** No selector, no system-assigned identity, and no single user-assigned one to fall back on. */
    noDefaultIdentity(userAssigned: number): Refusal;
    unknownResource(resource: string, tenantId: string): Refusal;
  };
  errorBody(r: Refusal): Record<string, unknown>;
  /** The success body: `token`, and the selection parameter the request gave (IMDS echoes it). */
  answer(token: IssuedToken, selected: { param: string; value: string } | undefined): Record<string, unknown>;
}

const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

/**
 * S116: only programs on this machine. The emulator listens on loopback only; a request must also come from a
 * loopback address and name a loopback host (a page on a rebound DNS name names its own), and no browser made it
 * (`Origin`, `Sec-Fetch-Site`: these endpoints have no page among their callers, and grant no CORS).
 */
export function localRefusal(x: Exchange): string | undefined {
  // S151: also in remote mode (--allow-remote): a managed identity belongs to the machine the emulator runs on.
  const notLocal = localCallerRefusal(x, 'The managed identity endpoints answer');
  if (notLocal !== undefined) return notLocal;
  if (x.req.headers.origin !== undefined || x.req.headers['sec-fetch-site'] !== undefined) {
    return 'The managed identity endpoints do not answer web pages.';
  }
  return undefined;
}

type Selection = { identity: ManagedIdentity; selected?: { param: string; value: string } } | Refusal;

/**
 * S117: at most one selection parameter; its value is compared case-insensitively (GUIDs and ARM resource IDs
 * are). A resource ID selects a user-assigned identity (the system-assigned one has none of its own). Without
 * one, the system-assigned identity, else what the protocol does.
 */
export function selectIdentity(ids: ManagedIdentities, query: Params, p: ManagedIdentityProtocol): Selection {
  const given = Object.keys(p.selectors).filter((param) => query.has(param));
  if (given.length > 1) return p.refusals.severalSelectors(given);
  const all = [...(ids.systemAssigned ? [ids.systemAssigned] : []), ...ids.userAssigned];
  if (given.length === 1) {
    const param = given[0]!;
    const by = p.selectors[param]!;
    const value = query.get(param) ?? '';
    const lower = value.toLowerCase();
    const candidates = by === 'resourceId' ? ids.userAssigned : all;
    const identity = candidates.find((m) => m[by].toLowerCase() === lower);
    return identity ? { identity, selected: { param, value } } : p.refusals.unknownIdentity;
  }
  if (ids.systemAssigned) return { identity: ids.systemAssigned };
  if (p.soleUserAssignedByDefault && ids.userAssigned.length === 1) return { identity: ids.userAssigned[0]! };
  return p.refusals.noDefaultIdentity(ids.userAssigned.length);
}

/** `xms_mirid` as Entra writes it: the resource ID with the `resourcegroups` segment in lower case. */
export function miridClaim(resourceId: string): string {
  return resourceId.replace(/\/resourcegroups\//i, '/resourcegroups/');
}

/**
 * S118: an app-only token of the identity's service principal for `resource` (v1 or v2 as the resource takes
 * them), as Entra issues it to a managed identity: `oid` and `sub` its principal id, `appid` / `azp` its client
 * id, authenticated by certificate (`appidacr` / `azpacr` 2), `xms_mirid` its resource ID, `roles` what it was
 * granted.
 */
async function issueToken(
  ctx: EmulatorContext,
  m: ManagedIdentity,
  requested: string,
): Promise<IssuedToken | undefined> {
  const resource = findResource(ctx.directory, requested);
  if (!resource) return undefined;
  const roles = grantedRoles(ctx, m.applicationPermissions, resource);
  const body = await issueAppOnly(
    ctx,
    m,
    m.tenantId,
    resource,
    audienceIdentifier(resource, requested),
    roles,
    '2',
    NO_CLAIMS_REQUEST,
    { objectId: m.principalId, claims: { xms_mirid: miridClaim(m.resourceId) } },
  );
  const accessToken = String(body.access_token);
  const { exp, nbf } = decodeJwt(accessToken);
  return {
    access_token: accessToken,
    client_id: m.clientId,
    expires_in: String(body.expires_in),
    expires_on: String(exp),
    ext_expires_in: String(body.ext_expires_in),
    not_before: String(nbf),
    resource: requested,
    token_type: 'Bearer',
  };
}

const PROTOCOL_OF = new WeakMap<Handler, ManagedIdentityProtocol>();

/** The protocol a route's handler serves, if it is a managed identity endpoint (for the route-table sweep). */
export function managedIdentityProtocolOf(handler: Handler): ManagedIdentityProtocol | undefined {
  return PROTOCOL_OF.get(handler);
}

/** The handler of a managed identity endpoint: S116, then S115, then the request (S117, S118). */
export function managedIdentityEndpoint(p: ManagedIdentityProtocol): Handler {
  const handler: Handler = async (ctx, x) => {
    const refuse = (r: Refusal): void => sendJson(x.res, r.status, r.body ?? p.errorBody(r), NO_STORE);
    const notLocal = localRefusal(x);
    if (notLocal !== undefined) return refuse({ status: 403, code: 'forbidden', message: notLocal });
    const guarded = p.guard(ctx, x);
    if (guarded) return refuse(guarded);
    const ids = ctx.directory.managedIdentities;
    if (x.query.duplicates.length) return refuse(p.refusals.duplicate([...new Set(x.query.duplicates)]));
    const version = p.apiVersion(x.query.get('api-version'));
    if (version) return refuse(version);
    const requested = x.query.get('resource');
    if (requested === undefined) return refuse(p.refusals.missingResource);
    const selection = selectIdentity(ids, x.query, p);
    if (!('identity' in selection)) {
      ctx.state.stats.countTokenRequest('managed_identity', undefined, false);
      return refuse(selection);
    }
    const { identity, selected } = selection;
    ctx.state.stats.countTokenRequest('managed_identity', identity.clientId, true);
    const token = await issueToken(ctx, identity, requested);
    if (!token) return refuse(p.refusals.unknownResource(requested, identity.tenantId));
    sendJson(x.res, 200, p.answer(token, selected), NO_STORE);
  };
  PROTOCOL_OF.set(handler, p);
  return handler;
}
