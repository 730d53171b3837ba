import type { ResolvedAuthority } from '../authority/authority.js';
import type { Server } from '../authority/discovery.js';
import { type AccountInfo, toAccountInfo } from '../cache/account.js';
import { exportAccountRecord } from '../cache/export-import.js';
import { TokenloopError } from '../errors/errors.js';
import type { TokenSet } from '../model/token-set.js';
import { importAccount, removeAccount } from './account-changes.js';
import { type AccountSelector, createAccountLookup } from './account-lookup.js';
import { appTokenAcquirer } from './app-tokens.js';
import type { AuthResult } from './auth-result.js';
import { createClientContext, grantContext, grants } from './client-context.js';
import type {
  AuthorizationRequestOptions,
  AuthorizationTransaction,
  DeviceCodeOptions,
  LoopbackOptions,
} from '../model/interactive-options.js';
import type { OnBehalfOfOptions } from './on-behalf-of-tokens.js';
import { type TokenClientOptions } from '../model/client-options.js';
import { checkClientOptions } from './options.js';
import { getUserInfo } from './user-info.js';
import { rememberSignIn, silentTokenAcquirer } from './user-tokens.js';

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
  const c = createClientContext(options);
  const { authority, clientId, store } = c;
  // S70 / S71 / S130: the one account-lookup rule (account-lookup.ts).
  const accounts = createAccountLookup({ store, clientId, authority });
  const signedIn = (tokens: TokenSet, scopes: readonly string[]) => {
    accounts.forget();
    return rememberSignIn(c, tokens, scopes);
  };
  const acquireTokenSilent = silentTokenAcquirer(c, accounts);
  // On-behalf-of (and its node:crypto) is loaded on first use.
  let onBehalfOf: Promise<(opts: OnBehalfOfOptions) => Promise<AuthResult>> | undefined;

  return {
    authority,
    clientId,
    server: async (signal) => (await c.network()).servers.get(authority, signal),
    beginAuthorization: async (opts) => (await grants()).beginAuthorization(await grantContext(c), opts),
    async completeAuthorization(transaction, callback, signal) {
      const grant = await grants();
      return signedIn(
        await grant.completeAuthorization(await grantContext(c, signal), transaction, callback, signal),
        transaction.scopes,
      );
    },
    async loginInteractive(opts) {
      const grant = await grants();
      return signedIn(await grant.loginInteractive(await grantContext(c, opts.signal), opts), opts.scopes);
    },
    async loginWithDeviceCode(opts) {
      const grant = await grants();
      return signedIn(await grant.loginWithDeviceCode(await grantContext(c, opts.signal), opts), opts.scopes);
    },
    acquireTokenSilent,
    acquireAppToken: appTokenAcquirer(c),
    async acquireTokenOnBehalfOf(opts) {
      onBehalfOf ??= import('./on-behalf-of-tokens.js').then((m) => m.onBehalfOfAcquirer(c));
      return (await onBehalfOf)(opts);
    },
    getUserInfo: async (opts = {}) => getUserInfo(c, accounts, acquireTokenSilent, opts),
    getAccounts: async () => (await accounts.list()).map((r) => toAccountInfo(r.account)),
    findAccountByTypedName: async (name, opts) =>
      toAccountInfo((await accounts.findTyped(name, opts)).account),
    async getAccount(selector) {
      try {
        return toAccountInfo((await accounts.exact(selector)).account);
      } catch (err) {
        if (err instanceof TokenloopError && err.code === 'ACCOUNT_NOT_FOUND') return undefined;
        throw err;
      }
    },
    removeAccount: async (selector) => removeAccount(c, accounts, selector),
    async endSessionUrl(opts) {
      const record = await accounts.find(opts.account).catch(() => undefined);
      return (await grants()).endSessionUrl(await grantContext(c), { ...opts, account: record?.account });
    },
    exportAccount: async (selector) => exportAccountRecord(await accounts.exact(selector)),
    importAccount: async (text) => importAccount(c, accounts, text),
    async close() {
      await store.close?.();
    },
  };
}
