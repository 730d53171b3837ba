import type { JWTPayload } from 'jose';
import type { EmulatorContext } from '../context.js';
import type { User } from '../directory/model.js';
import { sendJson } from '../http/respond.js';
import type { Exchange } from '../http/route.js';
import { graphError, graphHeaders, graphToken } from './graph-auth.js';
import { graphUserObject } from './graph-user-object.js';

type Claims = JWTPayload & Record<string, unknown>;

/**
 * S120: the permissions that let a token read other users, as Graph's user-get and user-list pages list them:
 * the application roles, and the delegated scopes for the full profile and for the basic one. A delegated
 * token with a profile scope of its own (User.Read) reads the signed-in user, never anyone else.
 */
const READ_USERS = {
  application: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  delegatedFull: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  delegatedBasic: ['User.ReadBasic.All'],
  delegatedSelf: ['User.Read', 'User.ReadWrite'],
} as const;

const DENIED = 'Insufficient privileges to complete the operation.';
const DEFAULT_PAGE = 100;
const MAX_PAGE = 999;

/** S120: what the token may read of `target` (undefined: some user other than its own), or nothing. */
function access(claims: Claims, target: User | undefined): 'full' | 'basic' | undefined {
  const has = (granted: Set<string>, wanted: readonly string[]) => wanted.some((w) => granted.has(w));
  if (claims.idtyp === 'app') {
    const roles = new Set(Array.isArray(claims.roles) ? claims.roles.map(String) : []);
    return has(roles, READ_USERS.application) ? 'full' : undefined;
  }
  const scp = new Set(String(claims.scp ?? '').split(' '));
  if (has(scp, READ_USERS.delegatedFull)) return 'full';
  // User.ReadBasic.All also lets the app read the signed-in user's full profile.
  if (target !== undefined && target.id === claims.oid)
    return has(scp, [...READ_USERS.delegatedSelf, ...READ_USERS.delegatedBasic]) ? 'full' : undefined;
  return has(scp, READ_USERS.delegatedBasic) ? 'basic' : undefined;
}

/** S121: the users of the token's own tenant only; a user of another tenant is as unknown as no user at all. */
function tenantUsers(ctx: EmulatorContext, claims: Claims): User[] {
  const tid = String(claims.tid ?? '');
  return [...ctx.directory.users.values()].filter((u) => u.tenantId === tid);
}

/** `GET /v1.0/users/{id | userPrincipalName}` */
export async function getUser(ctx: EmulatorContext, x: Exchange): Promise<void> {
  const claims = await graphToken(ctx, x);
  if (!claims) return;
  const key = x.params.id!.toLowerCase();
  const user = tenantUsers(ctx, claims).find((u) => u.id === key || u.username.toLowerCase() === key);
  const view = access(claims, user);
  if (!view) return graphError(x, 403, 'Authorization_RequestDenied', DENIED);
  if (!user) {
    return graphError(
      x,
      404,
      'Request_ResourceNotFound',
      `Resource '${x.params.id!}' does not exist or one of its queried reference-property objects are not present.`,
    );
  }
  sendJson(
    x.res,
    200,
    { '@odata.context': `${ctx.url}/v1.0/$metadata#users/$entity`, ...graphUserObject(user, view) },
    graphHeaders(x),
  );
}

/** `$filter`: equality on userPrincipalName, mail or id (OData string literal, `''` for a quote). */
function filterOf(raw: string | undefined): ((u: User) => boolean) | undefined | 'unsupported' {
  if (raw === undefined) return undefined;
  const m = /^\s*(userPrincipalName|mail|id)\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(raw);
  if (!m) return 'unsupported';
  const value = m[2]!.replace(/''/g, "'").toLowerCase();
  const property = m[1]!.toLowerCase();
  return (u) =>
    (property === 'id' ? u.id : property === 'mail' ? (u.mail ?? '') : u.username).toLowerCase() === value;
}

/** `GET /v1.0/users` — `$top` (1–999, default 100) with `@odata.nextLink` paging, `$filter` on equality. */
export async function listUsers(ctx: EmulatorContext, x: Exchange): Promise<void> {
  const claims = await graphToken(ctx, x);
  if (!claims) return;
  if (!access(claims, undefined)) return graphError(x, 403, 'Authorization_RequestDenied', DENIED);
  const rawTop = x.query.get('$top');
  const top = rawTop === undefined ? DEFAULT_PAGE : /^\d{1,4}$/.test(rawTop) ? Number(rawTop) : NaN;
  if (!(top >= 1 && top <= MAX_PAGE)) {
    return graphError(
      x,
      400,
      'Request_UnsupportedQuery',
      `Invalid page size specified: '${String(rawTop).slice(0, 20)}'. Must be between 1 and ${MAX_PAGE} inclusive.`,
    );
  }
  const filter = filterOf(x.query.get('$filter'));
  const rawSkip = x.query.get('$skiptoken');
  if (filter === 'unsupported' || (rawSkip !== undefined && !/^\d{1,6}$/.test(rawSkip)))
    return graphError(x, 400, 'Request_UnsupportedQuery', 'Unsupported Query.');
  const users = tenantUsers(ctx, claims).filter((u) => !filter || filter(u));
  const skip = Number(rawSkip ?? 0);
  const page = users.slice(skip, skip + top);
  let nextLink: string | undefined;
  if (skip + top < users.length) {
    const next = new URL(`${ctx.url}/v1.0/users`);
    next.searchParams.set('$top', String(top));
    const rawFilter = x.query.get('$filter');
    if (rawFilter !== undefined) next.searchParams.set('$filter', rawFilter);
    next.searchParams.set('$skiptoken', String(skip + top));
    nextLink = next.href;
  }
  sendJson(
    x.res,
    200,
    {
      '@odata.context': `${ctx.url}/v1.0/$metadata#users`,
      ...(nextLink ? { '@odata.nextLink': nextLink } : {}),
      value: page.map((u) => graphUserObject(u, access(claims, u)!)),
    },
    graphHeaders(x),
  );
}
