// Synthetic accounts for the library benches: the same N extra signed-in users written into tokenloop's cache
// (as account exports for `importAccount`) and into msal-node's (its serialized JSON cache for `deserialize`),
// each modelled on the real account the bench signed in (same tenant, client, environment, scopes, expiry),
// with an ID token and an access token shaped like the real ones (JWT-shaped, claims of that user, random
// signature) and a random refresh token. Nothing here is ever printed.
import { randomBytes } from 'node:crypto';

/** A deterministic, distinct object id for synthetic user `i` (never one of the emulator's own users). */
export function syntheticOid(i: number): string {
  return `b0b0b0b0-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
}

function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function jwtParts(jwt: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [h, c] = jwt.split('.');
  if (!h || !c) throw new Error('synthetic: the template is not a JWT');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(c, 'base64url').toString()) as Record<string, unknown>,
  };
}

/** A JWT with the template's header and claims, some claims replaced, and a random RSA-2048-sized signature. */
function lookalikeJwt(template: string, replace: Record<string, unknown>): string {
  const { header, claims } = jwtParts(template);
  return `${b64json(header)}.${b64json({ ...claims, ...replace })}.${randomBytes(256).toString('base64url')}`;
}

function randomSecret(likeLength: number): string {
  return randomBytes(Math.ceil((likeLength * 3) / 4))
    .toString('base64url')
    .slice(0, likeLength);
}

interface User {
  oid: string;
  username: string;
  name: string;
}

function userOf(i: number): User {
  return {
    oid: syntheticOid(i),
    username: `bench-user-${i}@contoso.onmicrosoft.com`,
    name: `Bench User ${i}`,
  };
}

// ---------------------------------------------------------------------------------------------------- tokenloop

interface ExportedRecord {
  key: string;
  account: {
    homeAccountId: string;
    localAccountId: string;
    tenantId?: string;
    username?: string;
    name?: string;
    idTokenSubject?: string;
    idToken?: string;
  };
  refreshToken?: { secret: string };
  accessTokens: { secret: string }[];
}

/**
 * `count` exports for tokenloop's `importAccount`, each a copy of `templateExport` (the real account's export)
 * for another user: account ids, key, ID token and access tokens for that user, a random refresh token.
 */
export function tokenloopExports(templateExport: string, count: number): string[] {
  const template = JSON.parse(templateExport) as { record: ExportedRecord };
  const real = template.record;
  const tid = real.account.tenantId;
  if (!tid || !real.account.idToken || !real.refreshToken || real.accessTokens.length !== 1)
    throw new Error(
      'synthetic: the tokenloop template lacks a tenant, an ID token, a refresh token or its token',
    );
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const u = userOf(i);
    const homeAccountId = `${u.oid}.${tid}`;
    const sub = randomBytes(32).toString('base64url');
    const record: ExportedRecord = {
      ...real,
      key: real.key.replace(real.account.homeAccountId, homeAccountId),
      account: {
        ...real.account,
        homeAccountId,
        localAccountId: u.oid,
        username: u.username,
        name: u.name,
        idTokenSubject: sub,
        idToken: lookalikeJwt(real.account.idToken, {
          oid: u.oid,
          sub,
          preferred_username: u.username,
          name: u.name,
        }),
      },
      refreshToken: { ...real.refreshToken, secret: randomSecret(real.refreshToken.secret.length) },
      accessTokens: real.accessTokens.map((t) => ({
        ...t,
        secret: lookalikeJwt(t.secret, { oid: u.oid, sub, upn: u.username, name: u.name }),
      })),
    };
    out.push(JSON.stringify({ ...template, record }));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------- msal-node

type Entry = Record<string, unknown> & { home_account_id: string; secret?: string };
interface MsalJsonCache {
  Account: Record<string, Entry>;
  IdToken: Record<string, Entry>;
  AccessToken: Record<string, Entry>;
  RefreshToken: Record<string, Entry>;
  AppMetadata: Record<string, unknown>;
}

/**
 * msal-node's serialized cache (`getTokenCache().serialize()`) holding its one real account, plus `count`
 * synthetic users each with an account, an ID token, an access token (same target, same expiry) and a
 * refresh token, built the same way as the tokenloop ones, keyed as msal-node keys them.
 */
export function msalCacheWith(serialized: string, count: number): string {
  const cache = JSON.parse(serialized) as MsalJsonCache;
  const only = <T>(o: Record<string, T>, what: string): [string, T] => {
    const entries = Object.entries(o);
    if (entries.length !== 1)
      throw new Error(`synthetic: msal cache has ${entries.length} ${what}, expected 1`);
    return entries[0]!;
  };
  const [accountKey, account] = only(cache.Account, 'accounts');
  const [idKey, id] = only(cache.IdToken, 'ID tokens');
  const [atKey, at] = only(cache.AccessToken, 'access tokens');
  const [rtKey, rt] = only(cache.RefreshToken, 'refresh tokens');
  const realHome = account.home_account_id;
  const tid = String(account.realm);
  const out: MsalJsonCache = {
    Account: { ...cache.Account },
    IdToken: { ...cache.IdToken },
    AccessToken: { ...cache.AccessToken },
    RefreshToken: { ...cache.RefreshToken },
    AppMetadata: { ...cache.AppMetadata },
  };
  for (let i = 0; i < count; i++) {
    const u = userOf(i);
    const home = `${u.oid}.${tid}`;
    const sub = randomBytes(32).toString('base64url');
    const rekey = (key: string) => key.split(realHome).join(home);
    out.Account[rekey(accountKey)] = {
      ...account,
      home_account_id: home,
      local_account_id: u.oid,
      username: u.username,
      name: u.name,
      client_info: b64json({ uid: u.oid, utid: tid }),
      tenantProfiles: [
        JSON.stringify({
          tenantId: tid,
          localAccountId: u.oid,
          name: u.name,
          username: u.username,
          isHomeTenant: true,
        }),
      ],
    };
    out.IdToken[rekey(idKey)] = {
      ...id,
      home_account_id: home,
      secret: lookalikeJwt(id.secret!, { oid: u.oid, sub, preferred_username: u.username, name: u.name }),
    };
    out.AccessToken[rekey(atKey)] = {
      ...at,
      home_account_id: home,
      secret: lookalikeJwt(at.secret!, { oid: u.oid, sub, upn: u.username, name: u.name }),
    };
    out.RefreshToken[rekey(rtKey)] = {
      ...rt,
      home_account_id: home,
      secret: randomSecret(rt.secret!.length),
    };
  }
  return JSON.stringify(out);
}

/** How many accounts and tokens of each kind a serialized msal-node cache holds. */
export function msalCacheCounts(serialized: string): Record<string, number> {
  const cache = JSON.parse(serialized) as MsalJsonCache;
  return Object.fromEntries(Object.entries(cache).map(([k, v]) => [k, Object.keys(v as object).length]));
}
