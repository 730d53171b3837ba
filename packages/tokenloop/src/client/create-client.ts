import { createHash } from 'node:crypto';
import { type AuthoritySpec, type ResolvedAuthority, resolveAuthority } from '../authority/authority.js';
import type { Server } from '../authority/discovery.js';
import type { ServerCache } from '../authority/server-cache.js';
import { type AccountInfo, accountFromTokenSet, toAccountInfo } from '../cache/account.js';
import { exportAccountRecord, parseExportedAccount } from '../cache/export-import.js';
import { DEFAULT_REFRESH_AHEAD_MS } from '../cache/freshness.js';
import { type AccountRecord, type CachedAccessToken, type CachedAccount, recordKey } from '../cache/model.js';
import { applyTokenSet } from '../cache/record-update.js';
import { resourceOf, resourceScopes } from '../cache/resource.js';
import { createSilentAcquirer } from '../cache/silent.js';
import { memoryStore } from '../cache/stores/memory-store.js';
import { TokenloopError } from '../errors/errors.js';
import type { TokenSet } from '../flows/token-set.js';
import type { FetchLike } from '../http/http-client.js';
import { type AccountSelector, createAccountLookup } from './account-lookup.js';
import { type AuthResult, toAuthResult } from './auth-result.js';
import { checkClaims } from './claims-request.js';
import type { GrantContext } from './grant-context.js';
import type {
  AuthorizationRequestOptions,
  AuthorizationTransaction,
  DeviceCodeOptions,
  LoopbackOptions,
} from './interactive-options.js';
import { type TokenClientOptions, checkClientOptions } from './options.js';

export type { AccountSelector } from './account-lookup.js';

export interface SilentOptions {
  scopes: string[];
  /**
   * Which account (its `AccountInfo` or `homeAccountId`, S70); required when the cache holds several accounts
   * for this client. A username a person typed goes through `findAccountByTypedName` first.
   */
  account?: AccountSelector;
  /** Skip the cache and redeem the refresh token now. */
  forceRefresh?: boolean;
  /**
   * A resource's claims challenge (Entra CAE, `OAuthError.claims`): the JSON text, sent with a new token
   * request — never answered from the cache; the new token then replaces the cached one (S105).
   */
  claims?: string;
  signal?: AbortSignal;
}

/** The tokenloop client: sign-in flows, a token cache and silent acquisition for one app registration. */
export interface TokenClient {
  readonly authority: ResolvedAuthority;
  readonly clientId: string;
  /** The provider's metadata (discovered once, cached). */
  server(signal?: AbortSignal): Promise<Server>;
  /** Web apps, step 1: the URL to send the browser to, and the transaction to keep bound to it (S04). */
  beginAuthorization(
    options: AuthorizationRequestOptions,
  ): Promise<{ url: URL; transaction: AuthorizationTransaction }>;
  /** Web apps, step 2: handle the callback (query or form_post), redeem the code, cache the tokens. */
  completeAuthorization(
    transaction: AuthorizationTransaction,
    callback: URL | URLSearchParams,
    signal?: AbortSignal,
  ): Promise<AuthResult>;
  /** Native apps: sign in with the system browser and a loopback redirect (RFC 8252). */
  loginInteractive(options: LoopbackOptions): Promise<AuthResult>;
  /** Sign in on another device with a user code (RFC 8628). */
  loginWithDeviceCode(options: DeviceCodeOptions): Promise<AuthResult>;
  /** A valid access token for a signed-in account, from the cache or by refreshing (single-flight). */
  acquireTokenSilent(options: SilentOptions): Promise<AuthResult>;
  /** An app-only token (client credentials), cached per resource until due for renewal. */
  acquireAppToken(options: {
    scopes: string[];
    forceRefresh?: boolean;
    /** A resource's claims challenge, as for `acquireTokenSilent` (S105). */
    claims?: string;
    signal?: AbortSignal;
  }): Promise<AuthResult>;
  /** On-behalf-of (Entra): exchange an incoming access token for one to call a downstream API. Cached per token. */
  acquireTokenOnBehalfOf(options: {
    assertion: string;
    scopes: string[];
    signal?: AbortSignal;
  }): Promise<AuthResult>;
  /**
   * The provider's userinfo claims for an account (OpenID Connect), fetched with a fresh access token; the
   * response must be about the same `sub` as the account's ID token (S37).
   */
  getUserInfo(options?: {
    account?: AccountSelector;
    signal?: AbortSignal;
  }): Promise<Record<string, unknown>>;
  /** Accounts signed in with this client. */
  getAccounts(): Promise<AccountInfo[]>;
  /** One account by its `AccountInfo` or `homeAccountId` (the exact key, S70), or undefined. */
  getAccount(selector: AccountSelector): Promise<AccountInfo | undefined>;
  /**
   * The account a person named by typing it (a command line's `--account`, a mail program's login): an
   * account id is looked up by its key; anything else is a username, matched case-insensitively, that must
   * name exactly one of this client's accounts at the same issuer (S71). Throws `ACCOUNT_NOT_FOUND` (sign in)
   * when none matches and `INVALID_ARGUMENT`, listing the candidates, when several do. With `prefix: true`, a
   * name no username equals may be the start of exactly one username at the same issuer (`--account bob`),
   * under the same rule. Never use it for a value a program kept (a session, a cookie, a store): those hold
   * the `homeAccountId`.
   */
  findAccountByTypedName(name: string, options?: { prefix?: boolean }): Promise<AccountInfo>;
  /** Forget an account and all its tokens (local only; see `endSessionUrl` for provider sign-out). */
  removeAccount(selector: AccountSelector): Promise<boolean>;
  /** The provider's sign-out URL for an account, when the provider has one. */
  endSessionUrl(options: {
    account?: AccountSelector;
    postLogoutRedirectUri?: string;
    state?: string;
  }): Promise<URL | undefined>;
  /** The account with its refresh token, as text for `importAccount` elsewhere. Treat it like a password. */
  exportAccount(selector: AccountSelector): Promise<string>;
  /** Add an exported account to this client's cache. */
  importAccount(text: string): Promise<AccountInfo>;
  /** Release timers and connections of the store. */
  close(): Promise<void>;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/**
 * Create a client for one app registration.
 *
 * @example
 * ```ts
 * import { createTokenClient, encryptedFileStore } from 'tokenloop';
 * const client = createTokenClient({
 *   authority: 'https://login.microsoftonline.com/organizations',
 *   clientId: '00000000-0000-0000-0000-000000000000',
 *   cache: encryptedFileStore({ path: '/home/me/.cache/myapp/tokens' }),
 * });
 * const [account] = await client.getAccounts();
 * if (account) {
 *   const { accessToken } = await client.acquireTokenSilent({ account, scopes: ['User.Read'] });
 *   console.log(accessToken.length);
 * }
 * ```
 */
export function createTokenClient(options: TokenClientOptions): TokenClient {
  checkClientOptions(options);
  const insecure = options.http?.dangerouslyAllowInsecureHttp === true;
  const authority = resolveAuthority(
    { authority: options.authority, issuer: options.issuer, endpoints: options.endpoints } as AuthoritySpec,
    { dangerouslyAllowInsecureHttp: insecure },
  );
  const clientId = options.clientId;
  // The network side (fetch with proxy support, discovery cache) is loaded on first use: a cached token
  // never needs it, and programs such as `tokenloop token` start faster without it.
  let network: Promise<{ fetch: FetchLike; servers: ServerCache }> | undefined;
  const networkOf = () =>
    (network ??= Promise.all([import('../http/http-client.js'), import('../authority/server-cache.js')]).then(
      ([{ createHttpFetch }, { createServerCache }]) => {
        const fetch = createHttpFetch(options.http);
        const servers = createServerCache({
          fetch,
          allowedTenants: options.allowedTenants,
          dangerouslyAllowInsecureHttp: insecure,
          onRetry: options.http?.onRetry,
        });
        return { fetch, servers };
      },
    ));
  const store = options.cache ?? memoryStore();
  const graphHost =
    authority.kind === 'entra'
      ? (authority.cloud?.graphHost ?? 'graph.microsoft.com')
      : 'graph.microsoft.com';
  const normalize = (scopes: readonly string[]) => resourceScopes(scopes, authority.kind, graphHost);
  const refreshAheadMs =
    options.refreshAheadSeconds === undefined ? DEFAULT_REFRESH_AHEAD_MS : options.refreshAheadSeconds * 1000;
  const keyOf = (homeAccountId: string) => recordKey(authority.environment, clientId, homeAccountId);
  // S109: every result says when this client's cache will renew its token (`refreshOn`).
  const result = (record: AccountRecord, token: CachedAccessToken, fromCache: boolean, appOnly = false) =>
    toAuthResult(record, token, fromCache, appOnly, refreshAheadMs);
  const grants = () => import('./grant-binding.js');
  const keySets: GrantContext['keySets'] = new Map();

  const grantContext = async (signal?: AbortSignal): Promise<GrantContext> => {
    const { fetch, servers } = await networkOf();
    return { options, authority, server: await servers.get(authority, signal), servers, fetch, keySets };
  };

  const silent = createSilentAcquirer({
    store,
    clientId,
    authority: authority.url,
    normalizeScopes: normalize,
    refreshAheadMs,
    async refresh(record, scopes, signal, claims) {
      if (!record?.refreshToken) throw new TokenloopError('INTERACTION_REQUIRED', 'no refresh token');
      return (await grants()).refresh(
        await grantContext(signal),
        record.refreshToken.secret,
        scopes,
        record.account,
        signal,
        claims,
      );
    },
    accountAfterRefresh(record, tokens) {
      if (!tokens.idTokenClaims) return record?.account ?? accountFromTokenSet(tokens, authority);
      // A refreshed ID token may carry fewer claims (narrower scope): keep what it does not restate.
      const next = accountFromTokenSet(tokens, authority);
      return {
        ...next,
        username: next.username ?? record?.account.username,
        name: next.name ?? record?.account.name,
      };
    },
  });

  const appAccount = (id: string): CachedAccount => ({
    homeAccountId: id,
    environment: authority.environment,
    issuer: authority.url,
    localAccountId: id,
  });
  const appSilent = (
    id: string,
    run: (
      ctx: GrantContext,
      scopes: readonly string[],
      signal?: AbortSignal,
      claims?: string,
    ) => Promise<TokenSet>,
  ) =>
    createSilentAcquirer({
      store,
      clientId,
      authority: authority.url,
      mode: 'app',
      normalizeScopes: normalize,
      refreshAheadMs,
      refresh: async (_record, scopes, signal, claims) =>
        run(await grantContext(signal), scopes, signal, claims),
      accountAfterRefresh: () => appAccount(id),
    });
  const appTokens = appSilent(
    `app:${authority.kind === 'entra' ? authority.tenant : 'default'}`,
    async (ctx, scopes, signal, claims) => (await grants()).appToken(ctx, scopes, signal, claims),
  );
  const oboAcquirers = new Map<string, ReturnType<typeof appSilent>>();

  // S70 / S71: the one account-lookup rule (account-lookup.ts).
  const accounts = createAccountLookup({ store, clientId, authority });
  const findRecord = accounts.find;

  async function remember(tokens: TokenSet, requestedScopes: readonly string[]): Promise<AuthResult> {
    accounts.forget();
    const account = accountFromTokenSet(tokens, authority);
    const key = keyOf(account.homeAccountId);
    const resource = resourceOf(requestedScopes, authority.kind, graphHost);
    return store.transact(key, async (current) => {
      const next = applyTokenSet(current, account, tokens, {
        key,
        clientId,
        authority: authority.url,
        resource,
        requestedScopes: normalize(requestedScopes),
        grantedScopes: normalize(tokens.scopes),
      });
      const token = next.accessTokens.at(-1)!;
      return { next, result: result(next, token, false) };
    });
  }

  return {
    authority,
    clientId,
    server: async (signal) => (await networkOf()).servers.get(authority, signal),
    async beginAuthorization(opts) {
      return (await grants()).beginAuthorization(await grantContext(), opts);
    },
    async completeAuthorization(transaction, callback, signal) {
      const tokens = await (
        await grants()
      ).completeAuthorization(await grantContext(signal), transaction, callback, signal);
      return remember(tokens, transaction.scopes);
    },
    async loginInteractive(opts) {
      const tokens = await (await grants()).loginInteractive(await grantContext(opts.signal), opts);
      return remember(tokens, opts.scopes);
    },
    async loginWithDeviceCode(opts) {
      const tokens = await (await grants()).loginWithDeviceCode(await grantContext(opts.signal), opts);
      return remember(tokens, opts.scopes);
    },
    async acquireTokenSilent(opts) {
      if (!Array.isArray(opts?.scopes))
        throw new TokenloopError('INVALID_ARGUMENT', 'acquireTokenSilent needs scopes');
      const claims = checkClaims(opts.claims); // S105: refused before anything else
      // S70: an account is its exact key; none given: the only account. S130: either way an account of the
      // tenant this authority names, or none (sign-in required) — never another tenant's token or refresh.
      const key = (await findRecord(opts.account)).key;
      const {
        record: rec,
        token,
        fromCache,
      } = await silent({
        key,
        resource: resourceOf(opts.scopes, authority.kind, graphHost),
        matchScopes: normalize(opts.scopes),
        requestScopes: opts.scopes,
        forceRefresh: opts.forceRefresh,
        claims,
        signal: opts.signal,
      });
      return result(rec, token, fromCache);
    },
    async acquireAppToken(opts) {
      const claims = checkClaims(opts?.claims); // S105
      const { record, token, fromCache } = await appTokens({
        key: keyOf(`app:${authority.kind === 'entra' ? authority.tenant : 'default'}`),
        resource: resourceOf(opts.scopes, authority.kind, graphHost),
        matchScopes: normalize(opts.scopes),
        requestScopes: opts.scopes,
        forceRefresh: opts.forceRefresh,
        claims,
        signal: opts.signal,
      });
      return result(record, token, fromCache, true);
    },
    async acquireTokenOnBehalfOf(opts) {
      if (typeof opts?.assertion !== 'string' || opts.assertion === '')
        throw new TokenloopError(
          'INVALID_ARGUMENT',
          'on-behalf-of needs the incoming access token as `assertion`',
        );
      const id = `obo:${sha256(opts.assertion)}`;
      let acquire = oboAcquirers.get(id);
      if (!acquire) {
        acquire = appSilent(id, async (ctx, scopes, signal) =>
          (await grants()).onBehalfOf(ctx, opts.assertion, scopes, signal),
        );
        if (oboAcquirers.size > 1000) oboAcquirers.clear();
        oboAcquirers.set(id, acquire);
      }
      const { record, token, fromCache } = await acquire({
        key: keyOf(id),
        resource: resourceOf(opts.scopes, authority.kind, graphHost),
        matchScopes: normalize(opts.scopes),
        requestScopes: opts.scopes,
        signal: opts.signal,
      });
      return result(record, token, fromCache, true);
    },
    async getUserInfo(opts = {}) {
      const record = await findRecord(opts.account);
      const subject = record.account.idTokenSubject;
      if (subject === undefined)
        throw new TokenloopError(
          'CONFIGURATION',
          'userinfo needs an OpenID Connect sign-in (this account has no ID token)',
        );
      const scopes = authority.kind === 'entra' ? ['User.Read'] : ['openid'];
      const { accessToken } = await this.acquireTokenSilent({
        account: record.account.homeAccountId,
        scopes,
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      return (await grants()).userInfo(await grantContext(opts.signal), accessToken, subject, opts.signal);
    },
    async getAccounts() {
      return (await accounts.list()).map((r) => toAccountInfo(r.account));
    },
    async findAccountByTypedName(name, options) {
      return toAccountInfo((await accounts.findTyped(name, options)).account);
    },
    async getAccount(selector) {
      try {
        return toAccountInfo((await accounts.exact(selector)).account);
      } catch (err) {
        if (err instanceof TokenloopError && err.code === 'ACCOUNT_NOT_FOUND') return undefined;
        throw err;
      }
    },
    async removeAccount(selector) {
      const key = accounts.keyOf(selector);
      const id = typeof selector === 'string' ? selector : selector.homeAccountId;
      accounts.forget();
      // S70: exactly this account's record, re-checked under the store's lock.
      return store.transact(key, async (current) => {
        const exact = current?.account.homeAccountId === id && current.clientId === clientId;
        return { next: exact ? null : undefined, result: exact };
      });
    },
    async endSessionUrl(opts) {
      const record = await findRecord(opts.account).catch(() => undefined);
      return (await grants()).endSessionUrl(await grantContext(), { ...opts, account: record?.account });
    },
    async exportAccount(selector) {
      return exportAccountRecord(await accounts.exact(selector));
    },
    async importAccount(text) {
      const record = parseExportedAccount(text);
      if (record.clientId !== clientId || record.account.environment !== authority.environment) {
        throw new TokenloopError(
          'INVALID_ARGUMENT',
          `this export belongs to client ${record.clientId} at ${record.account.environment}, not to this client`,
        );
      }
      accounts.forget();
      // Stored under the key its account has here, whatever key the export claims (S70).
      const key = keyOf(record.account.homeAccountId);
      await store.transact(key, async () => ({ next: { ...record, key }, result: undefined }));
      return toAccountInfo(record.account);
    },
    async close() {
      await store.close?.();
    },
  };
}
