// The Azure SDK's credential shapes (`@azure/core-auth`: TokenCredential, GetTokenOptions, AccessToken),
// restated structurally: tokenloop/azure needs no Azure package, neither at run time nor for its types, and its
// credentials are TokenCredentials wherever the Azure SDK asks for one (the tests check the assignment
// against @azure/core-auth's own declarations).

/** An abort signal as the Azure SDK passes it (`AbortSignalLike`); a DOM `AbortSignal` is one. */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(
    type: 'abort',
    listener: (this: AbortSignalLike, ev: Event) => unknown,
    options?: { once?: boolean },
  ): void;
  removeEventListener(type: 'abort', listener: (this: AbortSignalLike, ev: Event) => unknown): void;
}

/** What the Azure SDK passes to `getToken`; tokenloop reads `abortSignal`, `claims` and `tenantId`. */
export interface GetTokenOptions {
  /** Cancels the call: it then rejects with an error named `AbortError` (S108). */
  abortSignal?: AbortSignalLike | undefined;
  /** A claims challenge (CAE), decoded: the token comes from the provider, never the cache (S105). */
  claims?: string | undefined;
  /**
   * The tenant the token must come from: accepted when it is the client's tenant (or, on a multi-tenant
   * authority, the account's), else `CredentialUnavailableError` (S107).
   */
  tenantId?: string | undefined;
  /** Continuous access evaluation: accepted; claims challenges are always honoured. */
  enableCae?: boolean | undefined;
  requestOptions?: { timeout?: number | undefined } | undefined;
  tracingOptions?: object | undefined;
}

/** What `getToken` returns, as the Azure SDK reads it. */
export interface AccessToken {
  token: string;
  /** Expiry, epoch milliseconds. */
  expiresOnTimestamp: number;
  /** When tokenloop's cache renews the token ahead of expiry (the library's refresh-ahead rule, S109). */
  refreshAfterTimestamp: number;
  tokenType: 'Bearer';
}

/** A credential the Azure SDK (and the Microsoft Graph SDK) accepts wherever it asks for a TokenCredential. */
export interface TokenCredential {
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken>;
}
