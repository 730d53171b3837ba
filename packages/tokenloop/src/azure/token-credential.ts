import type { AccountSelector, TokenClient } from '../client/create-client.js';
import type { AuthResult } from '../client/auth-result.js';
import { untilAborted } from './abort.js';
import { CredentialUnavailableError, type SignInHint, toAzureError } from './errors.js';
import { scopeList } from './scopes.js';
import type { AccessToken, GetTokenOptions, TokenCredential } from './types.js';

/** Options of `createTokenCredential`. */
export interface TokenCredentialOptions {
  /**
   * The signed-in account whose tokens to give (its `AccountInfo` or `homeAccountId`); needed when the client's
   * cache holds several. Ignored with `appOnly`.
   */
  account?: AccountSelector;
  /** App-only tokens (client credentials: a client with a secret or certificate) instead of a user's. */
  appOnly?: boolean;
}

/** A TokenCredential backed by tokenloop, and how to release what it holds. */
export interface TokenloopCredential extends TokenCredential {
  /** Release the client (its store's timers and connections). */
  close(): Promise<void>;
}

/** The Azure SDK's AccessToken for a tokenloop result (S109: refreshAfterTimestamp is the cache's own rule). */
function toAccessToken(result: AuthResult): AccessToken {
  const refreshAfter = result.refreshOn.getTime();
  return {
    token: result.accessToken,
    // A provider that gave no expiry: the cache stops using the token at refreshOn, so does the SDK.
    expiresOnTimestamp: result.expiresOn?.getTime() ?? refreshAfter,
    refreshAfterTimestamp: refreshAfter,
    tokenType: 'Bearer',
  };
}

const same = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();

/**
 * S107: a `tenantId` the SDK asks for is honoured when it is where the token comes from — the client's Entra
 * tenant, or on a multi-tenant authority (`organizations`, `common`) the signed-in account's — and refused
 * otherwise as unavailable (as the Azure SDK's own credentials refuse a tenant they are not configured for).
 */
function tenantRefusal(client: TokenClient, wanted: string, result?: AuthResult): Error | undefined {
  const authority = client.authority;
  if (authority.kind !== 'entra')
    return new CredentialUnavailableError(
      `tokenloop: tenantId ${JSON.stringify(wanted)} applies to Microsoft Entra authorities, and this client's is ${authority.url}`,
    );
  if (same(authority.tenant, wanted) || same(result?.account?.tenantId, wanted)) return undefined;
  if (!result) return undefined; // decided once the token (and its account) is known
  const from = result.account?.tenantId ?? authority.tenant;
  return new CredentialUnavailableError(
    `tokenloop: the request asks for a token from tenant ${wanted}, and this credential gets them from tenant ${from} (${authority.url}) — use a client whose authority is ${authority.url.replace(/[^/]+$/, wanted)}`,
  );
}

/** Where a credential's tokens come from, found when `getToken` is called. */
export interface TokenSource {
  client: TokenClient;
  acquire(scopes: string[], claims: string | undefined, signal?: AbortSignal): Promise<AuthResult>;
  /** What to tell a person when nobody is signed in or the sign-in must be renewed. */
  signIn?: SignInHint;
}

/**
 * One `getToken`, shared by every tokenloop credential: scopes, cancellation (S108) around finding the source
 * and the token, the tenant (S107), the AccessToken (S109), and the one error mapping (S107).
 */
export async function getTokenWith(
  scopes: string | string[],
  options: GetTokenOptions | undefined,
  open: () => Promise<TokenSource>,
): Promise<AccessToken> {
  let source: TokenSource | undefined;
  try {
    const list = scopeList(scopes);
    const tenant = options?.tenantId;
    return await untilAborted(options?.abortSignal, async (signal) => {
      source = await open();
      const early = tenant === undefined ? undefined : tenantRefusal(source.client, tenant);
      if (early) throw early;
      const result = await source.acquire(list, options?.claims, signal);
      const refused = tenant === undefined ? undefined : tenantRefusal(source.client, tenant, result);
      if (refused) throw refused;
      return toAccessToken(result);
    });
  } catch (err) {
    throw toAzureError(err, source?.signIn);
  }
}

/**
 * A TokenCredential (`@azure/core-auth`) over a tokenloop client: the Azure SDK's clients, its pipeline's
 * `bearerTokenAuthenticationPolicy` and the Microsoft Graph SDK get their tokens from the client's cache —
 * single-flight, and encrypted and shared across processes with `encryptedFileStore`.
 *
 * @example
 * ```ts
 * import { createTokenClient } from 'tokenloop';
 * import { createTokenCredential } from 'tokenloop/azure';
 * const client = createTokenClient({
 *   authority: 'https://login.microsoftonline.com/organizations',
 *   clientId: '00000000-0000-0000-0000-000000000000',
 * });
 * const credential = createTokenCredential(client);
 * const { token, expiresOnTimestamp } = await credential.getToken('https://graph.microsoft.com/.default');
 * console.log(token.length, new Date(expiresOnTimestamp));
 * ```
 */
export function createTokenCredential(
  client: TokenClient,
  options: TokenCredentialOptions = {},
): TokenloopCredential {
  const account = options.account;
  const source: TokenSource = {
    client,
    acquire: (scopes, claims, signal) =>
      options.appOnly
        ? client.acquireAppToken({
            scopes,
            ...(claims !== undefined ? { claims } : {}),
            ...(signal ? { signal } : {}),
          })
        : client.acquireTokenSilent({
            scopes,
            ...(account !== undefined ? { account } : {}),
            ...(claims !== undefined ? { claims } : {}),
            ...(signal ? { signal } : {}),
          }),
  };
  return {
    getToken: (scopes, opts) => getTokenWith(scopes, opts, async () => source),
    close: () => client.close(),
  };
}
