import { CONSUMERS_TENANT_ID, type ResolvedAuthority, isGuid } from '../authority/authority.js';
import type { AccountInfo } from '../cache/account.js';
import { isUserAccountId } from '../cache/app-accounts.js';
import { type AccountRecord, recordKey } from '../model/account-record.js';
import type { CacheStore } from '../model/cache-store.js';
import { TokenloopError } from '../errors/errors.js';

/**
 * Which cached account a call is about: an `AccountInfo` or its `homeAccountId` — the stable key, nothing else
 * (S70). A username a person typed goes through `findAccountByTypedName` first.
 */
export type AccountSelector = AccountInfo | string;

/** The one account-lookup rule of a client (S70, S71). */
export interface AccountLookup {
  /** The record key of an account (S70: by its `homeAccountId`, nothing else). */
  keyOf(selector: AccountSelector): string;
  /** The record of the account a selector names (S70), or of the only signed-in account when there is none. */
  find(selector: AccountSelector | undefined): Promise<AccountRecord>;
  /** The record of the account a selector names (S70); a selector is required. */
  exact(selector: AccountSelector): Promise<AccountRecord>;
  /**
   * The record of the account a person named by typing its username or id (S71); with `prefix`, a username
   * no account has exactly may be the start of exactly one username at this issuer.
   */
  findTyped(name: string, options?: { prefix?: boolean }): Promise<AccountRecord>;
  /** This client's signed-in user accounts (no app-only or on-behalf-of records). */
  list(): Promise<AccountRecord[]>;
  /** Forget what is remembered between calls (after the accounts changed). */
  forget(): void;
}

function notFound(message: string, remediation = 'Sign in first.'): TokenloopError {
  return new TokenloopError('ACCOUNT_NOT_FOUND', message, { remediation });
}

function idOf(selector: AccountSelector): string {
  const id = typeof selector === 'string' ? selector : selector?.homeAccountId;
  if (typeof id !== 'string' || id === '')
    throw new TokenloopError(
      'INVALID_ARGUMENT',
      'an account is named by its AccountInfo or its homeAccountId (a username a person typed goes through findAccountByTypedName)',
    );
  return id;
}

/** People type names in any case and Unicode form; `exactly one match` keeps that from choosing a look-alike. */
function sameName(a: string, b: string): boolean {
  return a.normalize('NFC').toLowerCase() === b.normalize('NFC').toLowerCase();
}

function startsWithName(username: string, typed: string): boolean {
  return username.normalize('NFC').toLowerCase().startsWith(typed.normalize('NFC').toLowerCase());
}

/** Two issuer URLs are the same issuer as discovery compares them (S17): as normalised URLs. */
function sameUrl(a: string, b: string): boolean {
  return URL.canParse(a) && URL.canParse(b) && new URL(a).href === new URL(b).href;
}

/**
 * S130: a token is handed out only for the tenant the authority names — the ONE rule of which cached accounts a
 * client may use (list, find, look up by id or typed name, hand out tokens for). On Entra the account's tenant
 * (`tid`) must be the authority's: a tenant id, `consumers` (personal accounts), `organizations` (any work or
 * school tenant), `common` (any); a domain, whose tenant id is not known offline, has the accounts that signed
 * in through it. Elsewhere the account must come from this issuer (OpenID Connect) or this server (OAuth 2.0).
 * Pure and synchronous, so that a program that reads the cache by itself (the CLI's fast `token`) applies it too.
 */
export function accountFitsAuthority(
  record: Pick<AccountRecord, 'authority' | 'account'>,
  authority: ResolvedAuthority,
): boolean {
  switch (authority.kind) {
    case 'oidc':
      return sameUrl(record.account.issuer, authority.issuer);
    case 'oauth2':
      return record.authority === authority.url;
    case 'entra': {
      const tid = record.account.tenantId?.toLowerCase();
      switch (authority.tenantKind) {
        case 'tenant-id':
          return tid === authority.tenant.toLowerCase();
        case 'consumers':
          return tid === CONSUMERS_TENANT_ID;
        case 'organizations':
          return tid !== undefined && tid !== CONSUMERS_TENANT_ID;
        case 'common':
          return tid !== undefined;
        case 'domain':
          return tid !== undefined && record.authority.toLowerCase() === authority.url.toLowerCase();
      }
    }
  }
}

/** What a client's lookup is about: its store, its client id and the authority it signs in at. */
interface LookupScope {
  store: CacheStore;
  clientId: string;
  authority: ResolvedAuthority;
}

export function createAccountLookup(ctx: LookupScope): AccountLookup {
  const scope: LookupScope = { store: ctx.store, clientId: ctx.clientId, authority: ctx.authority };
  // "The only account" is remembered as a key (one store read next time), checked on every use.
  const only: { key?: string | undefined } = {};
  return {
    keyOf: (selector) => keyFor(scope, idOf(selector)),
    list: () => listMine(scope),
    forget() {
      only.key = undefined;
    },
    exact: (selector) => exact(scope, selector),
    find: (selector) => (selector !== undefined ? exact(scope, selector) : theOnlyAccount(scope, only)),
    findTyped: (name, options) => findTyped(scope, name, options),
  };
}

function keyFor({ authority, clientId }: LookupScope, id: string): string {
  return recordKey(authority.environment, clientId, id);
}

/** S130: an account of this client at this environment, and of the tenant (or issuer) this authority names. */
function isMine({ clientId, authority }: LookupScope, r: AccountRecord): boolean {
  return (
    r.clientId === clientId &&
    r.account.environment === authority.environment &&
    isUserAccountId(r.account.homeAccountId) &&
    accountFitsAuthority(r, authority)
  );
}

/** S70: a record counts only when it is exactly the account asked for (a store is not trusted to agree). */
function isExactly(scope: LookupScope, r: AccountRecord | undefined, id: string): r is AccountRecord {
  return r !== undefined && r.key === keyFor(scope, id) && r.account.homeAccountId === id && isMine(scope, r);
}

/** The shape of this authority's account ids: typed ids are looked up by key, never as usernames (S71). */
function looksLikeId(authority: ResolvedAuthority, name: string): boolean {
  switch (authority.kind) {
    case 'entra': {
      const parts = name.split('.'); // oid.tid
      return parts.length === 2 && parts.every(isGuid);
    }
    case 'oidc':
      return name.endsWith(`@${authority.issuer}`);
    case 'oauth2':
      return name === 'default';
  }
}

/** Where "signed in" is: a tenant-specific authority names its tenant (S130: other tenants' accounts do not count). */
function whereSignedIn(authority: ResolvedAuthority): string {
  return authority.kind === 'entra' &&
    (authority.tenantKind === 'tenant-id' || authority.tenantKind === 'domain')
    ? `for tenant ${authority.tenant}`
    : 'here';
}

async function listMine(scope: LookupScope): Promise<AccountRecord[]> {
  return (await scope.store.list()).filter((r) => isMine(scope, r));
}

async function byId(scope: LookupScope, id: string): Promise<AccountRecord | undefined> {
  const record = await scope.store.get(keyFor(scope, id));
  return isExactly(scope, record, id) ? record : undefined;
}

async function exact(scope: LookupScope, selector: AccountSelector): Promise<AccountRecord> {
  // S70: the stable key only. A missing record means "sign in again", never a look-alike.
  const found = await byId(scope, idOf(selector));
  if (found) return found;
  throw notFound('no cached sign-in for this account', 'Sign in again.');
}

/** The only signed-in account, when there is exactly one; its key is remembered in `only`. */
async function theOnlyAccount(
  scope: LookupScope,
  only: { key?: string | undefined },
): Promise<AccountRecord> {
  if (only.key !== undefined) {
    const hit = await scope.store.get(only.key);
    if (hit && hit.key === only.key && isMine(scope, hit)) return hit;
    only.key = undefined;
  }
  const mine = await listMine(scope);
  if (mine.length === 1) {
    only.key = mine[0]!.key;
    return mine[0]!;
  }
  if (mine.length === 0) {
    const here = whereSignedIn(scope.authority);
    throw new TokenloopError(
      'INTERACTION_REQUIRED',
      `no account is signed in${here === 'here' ? '' : ` ${here}`}`,
      {
        remediation: 'Sign in first.',
      },
    );
  }
  throw new TokenloopError('INVALID_ARGUMENT', `${mine.length} accounts are signed in; say which one`);
}

/** S71: the account a person named by typing its id or username (or, with `prefix`, the start of one). */
async function findTyped(
  scope: LookupScope,
  name: string,
  options: { prefix?: boolean } | undefined,
): Promise<AccountRecord> {
  if (typeof name !== 'string' || name.trim() === '')
    throw new TokenloopError('INVALID_ARGUMENT', "give the account's username or id");
  const shown = JSON.stringify(name);
  const here = whereSignedIn(scope.authority);
  if (looksLikeId(scope.authority, name)) {
    const found = await byId(scope, name);
    if (found) return found;
    throw notFound(`no account with the id ${shown} is signed in ${here}`);
  }
  // S71: a username only where a person typed it, and it must name exactly one account of this issuer
  // (S130: of the authority's tenant on Entra — `list` holds no other).
  const mine = (await listMine(scope)).filter((r) => r.account.username !== undefined);
  const matches = mine.filter((r) => sameName(r.account.username!, name));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1)
    throw new TokenloopError(
      'INVALID_ARGUMENT',
      `${matches.length} signed-in accounts are called ${shown}: ${candidates(matches)}`,
      { remediation: 'Name the account by its id (homeAccountId) instead.' },
    );
  // S71, the same rule for a prefix (`--account bob`): exactly one username of this issuer starts with it.
  const starting = options?.prefix ? mine.filter((r) => startsWithName(r.account.username!, name)) : [];
  if (starting.length === 1) return starting[0]!;
  if (starting.length > 1)
    throw new TokenloopError(
      'INVALID_ARGUMENT',
      `${shown} names ${starting.length} signed-in accounts: ${candidates(starting)}`,
      { remediation: 'Type more of the username, or name the account by its id (homeAccountId).' },
    );
  throw notFound(`no account ${shown} is signed in ${here}`, `Sign in as ${shown} first.`);
}

/** The accounts a typed name fits, as an error lists them. */
function candidates(matches: AccountRecord[]): string {
  return matches
    .map((r) => `${JSON.stringify(r.account.username)} (id ${r.account.homeAccountId})`)
    .join(', ');
}
