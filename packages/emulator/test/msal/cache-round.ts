/**
 * The cache round msal-cache.test.ts (msal-node) and msal-python.test.ts (MSAL Python) both run, each with its
 * own client: for every scope case, a sign-in, then three silent calls served from the client's cache with no
 * token request; once the client counts the tokens as expired, exactly one refresh per case, after which the
 * refreshed token is served from the cache again. What a client reports differs, so each client asserts its own
 * answers; the round asserts the emulator's request counts.
 */
import * as assert from 'node:assert/strict';
import { type RunningEmulator, startEmulator } from '../../src/index.ts';
import {
  registerCacheTestApp,
  resetStats,
  SCOPE_CASES,
  type ScopeCase,
  SHORT_LIFETIME,
  TENANT,
  tokenRequests,
  untilMsalExpiry,
} from './cache-cases.ts';

/** Alice, as the password grant signs her in; the one user the round's tokens are for. */
export const ALICE = { username: 'alice@contoso.onmicrosoft.com', password: 'alice-password-1' };

/** One client's steps; each asserts what that client reports. `A` is the client's handle of an app. */
export interface CacheRoundClient<A> {
  /** A new app of the client for `clientId` at `authority`. */
  createApp(clientId: string, authority: string): Promise<A>;
  /** The sign-in for the case (not from the cache: a first token of the case's audience, for Alice). */
  signIn(app: A, c: ScopeCase): Promise<void>;
  /** Silent call `i` (0, 1, 2) while the token is valid: the same token, from the cache. */
  silentFromCache(app: A, c: ScopeCase, i: number): Promise<void>;
  /** The silent call once the token counts as expired: a new token of the case's audience. */
  silentAfterExpiry(app: A, c: ScopeCase): Promise<void>;
  /** The silent call after that: the refreshed token, from the cache. */
  silentAfterRefresh(app: A, c: ScopeCase): Promise<void>;
}

/**
 * The round against an https emulator of its own (the CA of `ca.dataDir`, whose certificate is `ca.caPem`) that
 * signs in Alice and issues access tokens of SHORT_LIFETIME.
 */
export async function cacheRound<A>(
  ca: { dataDir: string | undefined; caPem: string },
  client: CacheRoundClient<A>,
): Promise<void> {
  const e = await startEmulator({
    https: true,
    dataDir: ca.dataDir,
    autoLogin: 'alice',
    accessTokenLifetime: SHORT_LIFETIME,
    settings: { deviceCodeInterval: 1 },
  });
  try {
    await roundAgainst(e, ca.caPem, client);
  } finally {
    await e.close();
  }
}

async function roundAgainst<A>(
  e: RunningEmulator,
  caPem: string,
  client: CacheRoundClient<A>,
): Promise<void> {
  const clientId = registerCacheTestApp(e);
  const signedIn: { c: ScopeCase; app: A; at: number }[] = [];
  for (const c of SCOPE_CASES) {
    const app = await client.createApp(clientId, `${e.url}/${TENANT}`);
    const startedAt = Date.now();
    await client.signIn(app, c);

    const before = await tokenRequests(e, caPem, clientId);
    for (let i = 0; i < 3; i++) await client.silentFromCache(app, c, i);
    assert.deepEqual(
      await tokenRequests(e, caPem, clientId),
      before,
      `${c.label}: no token request while the token is valid`,
    );
    signedIn.push({ c, app, at: startedAt });
  }

  await untilMsalExpiry(signedIn.at(-1)!.at);
  await resetStats(e, caPem);
  for (const { c, app } of signedIn) {
    const before = (await tokenRequests(e, caPem, clientId)).refresh_token ?? 0;
    await client.silentAfterExpiry(app, c);
    assert.equal(
      ((await tokenRequests(e, caPem, clientId)).refresh_token ?? 0) - before,
      1,
      `${c.label}: exactly one refresh`,
    );
    await client.silentAfterRefresh(app, c);
  }
  assert.deepEqual(await tokenRequests(e, caPem, clientId), {
    refresh_token: SCOPE_CASES.length,
  });
}
