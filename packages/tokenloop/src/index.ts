// Every entry point asks for Node's types: TypeScript 6+ loads none unless asked (test/packaging-types.test.ts).
/// <reference types="node" preserve="true" />
// tokenloop: OAuth 2.0 / OpenID Connect sign-in and token handling. This file only re-exports.

// The client: flows + token cache for one app registration.
export { createTokenClient } from './client/create-client.js';
export type { TokenClient, SilentOptions, AccountSelector } from './client/create-client.js';
export type { TokenClientOptions, ClientCertificate } from './model/client-options.js';
export type { AuthResult } from './client/auth-result.js';
export type {
  AuthorizationRequestOptions,
  AuthorizationTransaction,
  LoopbackOptions,
  DeviceCodeOptions,
  DeviceCodePrompt,
} from './model/interactive-options.js';

// Authorities and discovery.
export { resolveAuthority, isGuid, CONSUMERS_TENANT_ID } from './authority/authority.js';
export { checkAllowedTenants } from './authority/allowed-tenants.js';
export type {
  AuthoritySpec,
  ResolvedAuthority,
  OAuthEndpoints,
  EntraTenantKind,
} from './authority/authority.js';
export { ENTRA_CLOUDS, entraCloudOfHost, entraCloudByName, entraV1Issuer } from './authority/entra-clouds.js';
export type { EntraCloud } from './authority/entra-clouds.js';
export { discover } from './authority/discovery.js';
export type { Server } from './authority/discovery.js';

// Token cache.
export type { CacheStore, StoreUpdate, StoreWarning } from './model/cache-store.js';
export { memoryStore } from './cache/stores/memory-store.js';
export { encryptedFileStore } from './cache/stores/encrypted-file-store.js';
export type {
  EncryptedFileStore,
  EncryptedFileStoreOptions,
  KeySource,
} from './cache/stores/encrypted-file-store.js';
export type { AccountInfo } from './cache/account.js';
export type {
  AccountRecord,
  CachedAccessToken,
  CachedRefreshToken,
  CachedAccount,
} from './model/account-record.js';
export { recordKey } from './model/account-record.js';
export { isUserAccountId } from './cache/app-accounts.js';
export { resourceOf, resourceScopes } from './cache/resource.js';
export { refreshDueAt } from './cache/freshness.js';

// The RFC 6750 bearer-token syntax (S72), the one rule for every package that reads or writes a token.
export { isBearerTokenSyntax, MAX_TOKEN_LENGTH } from './model/token-syntax.js';
// The RFC 6749 scope-token syntax: the one rule for a scope shown from a provider or asked for by @tokenloop/web.
export { isScopeToken } from './model/scope-syntax.js';
// HTML escaping: the library's loopback page and @tokenloop/web's pages escape text the same way.
export { escapeHtml } from './text/html-escape.js';
// Strict base64url: the library's encrypted envelopes, @tokenloop/web's sealed cookies and the CLI's decode check with it.
export { isBase64url } from './text/base64url.js';

// Where plain http may go (S210): the loopback addresses, and the hosts that name them.
export { isLoopbackAddress, isLoopbackHost } from './http/loopback.js';

// Errors: what tokenloop/errors exports (one list).
export * from './errors-entry.js';

// Debug logging (TOKENLOOP_DEBUG) and redaction.
export { setDebugSink } from './log/debug.js';
export { redact, redactString } from './log/redact.js';

// HTTP: the one client every package's requests go through (S62).
export { createHttpFetch } from './http/http-client.js';
export type { FetchLike, HttpOptions } from './http/http-client.js';
export type { RetryNotice } from './http/retry.js';
export { DEFAULT_RETRY_ATTEMPTS } from './http/retry.js';
// An HTTP status that means the provider is unavailable (429, 5xx): the one rule, for every package.
export { isUnavailableStatus } from './errors/unavailable-status.js';
export type { TokenSet } from './model/token-set.js';

// The system browser ($BROWSER, else the desktop's opener), as loginInteractive uses it.
export { openSystemBrowser } from './flows/open-browser.js';

// Mail (SASL).
export { xoauth2, oauthBearer, OUTLOOK_SCOPES, OUTLOOK_APP_SCOPE } from './mail/sasl.js';
