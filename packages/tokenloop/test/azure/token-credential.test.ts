// tokenloop/azure's createTokenCredential over a TokenClient signed in at the emulator: the token and its
// times as the Azure SDK reads them, claims challenges (CAE), cancellation, tenants, and which Azure error
// each failure becomes — also inside @azure/identity's own ChainedTokenCredential. One emulator for the file;
// token requests are observed through the client's fetch.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TokenCredential as AzureTokenCredential } from '@azure/core-auth';
import { ChainedTokenCredential } from '@azure/identity';
import { type RunningEmulator, SAMPLE_IDS, SAMPLE_SECRETS, startEmulator } from '@tokenloop/emulator';
import {
  type TokenClient,
  createTokenClient,
  memoryStore,
  recordKey,
  refreshDueAt,
  TokenloopError,
} from 'tokenloop';
import {
  AZURE_ERROR_KINDS,
  AuthenticationError,
  CredentialUnavailableError,
  createTokenCredential,
} from 'tokenloop/azure';
import { TokenloopError as SourceTokenloopError } from '../../src/errors/errors.ts';
import type { ErrorCode } from '../../src/errors/codes.ts';
import { toAzureError } from '../../src/azure/errors.ts';
import { deliverAuthorization } from '../support/browser-stand-in.js';
import { type WatchedFetch, watchedFetch } from './support/watched-fetch.js';

const GRAPH = 'https://graph.microsoft.com/.default';
/** An Entra claims challenge as a resource sends it (decoded from the WWW-Authenticate `claims`). */
const CHALLENGE = '{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}';
const ALICE = `${SAMPLE_IDS.alice}.${SAMPLE_IDS.contoso}`;

/** Settles within `ms`, or fails naming what hung. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

describe('tokenloop/azure createTokenCredential', () => {
  let em: RunningEmulator;
  let client: TokenClient;
  let watched: WatchedFetch;
  const store = memoryStore();
  const authority = () => `${em.url}/${SAMPLE_IDS.contoso}`;
  before(async () => {
    em = await startEmulator({ autoLogin: 'alice' });
    watched = watchedFetch();
    client = createTokenClient({
      authority: authority(),
      clientId: SAMPLE_IDS.publicApp,
      cache: store,
      refreshAheadSeconds: 120,
      http: { fetch: watched.fetch },
    });
    await client.loginInteractive({
      scopes: ['User.Read'],
      openBrowser: async (url) => void deliverAuthorization(url),
    });
  });
  after(async () => {
    await client?.close();
    await em?.close();
  });

  it('S105 a claims request is never answered from the cache: the claims go to the token endpoint, and the new token is what the cache serves next', async () => {
    const first = await client.acquireTokenSilent({ scopes: [GRAPH] });
    const before = watched.tokenRequests.length;
    const challenged = await client.acquireTokenSilent({ scopes: [GRAPH], claims: CHALLENGE });
    assert.equal(challenged.fromCache, false);
    assert.deepEqual(watched.tokenRequests.slice(before), [
      { grantType: 'refresh_token', claims: CHALLENGE },
    ]);
    assert.notEqual(challenged.accessToken, first.accessToken);
    const next = await client.acquireTokenSilent({ scopes: [GRAPH] });
    assert.equal(next.fromCache, true);
    assert.equal(next.accessToken, challenged.accessToken);
    assert.equal(watched.tokenRequests.length, before + 1);
  });

  it('S105 claims that are not a JSON object are refused before any request, without repeating them', async () => {
    const credential = createTokenCredential(client);
    const before = watched.tokenRequests.length;
    const encoded = Buffer.from(CHALLENGE).toString('base64');
    for (const claims of [encoded, '[1]', 'null', '"x"', `{"a":"${'x'.repeat(17_000)}"}`]) {
      for (const call of [
        () => client.acquireTokenSilent({ scopes: [GRAPH], claims }),
        () => credential.getToken(GRAPH, { claims }),
        () => client.beginAuthorization({ redirectUri: 'http://127.0.0.1:9/cb', scopes: [GRAPH], claims }),
      ])
        await assert.rejects(call(), (err: TokenloopError) => {
          assert.equal(err.code, 'INVALID_ARGUMENT', claims.slice(0, 40));
          assert.match(err.message, /^claims /);
          assert.ok(!err.message.includes(encoded) && !err.message.includes('xxxx'), err.message);
          return true;
        });
    }
    assert.equal(watched.tokenRequests.length, before, 'no token request');
  });

  it("S109 the AccessToken: Bearer, the cached token, its expiry, and refreshAfterTimestamp at the cache's own refresh time", async () => {
    const credential = createTokenCredential(client);
    // The assignment is the proof that it is an @azure/core-auth TokenCredential (checked by tsc).
    const asAzure: AzureTokenCredential = credential;
    const token = await asAzure.getToken([GRAPH]);
    assert.ok(token);
    const record = await store.get(recordKey(new URL(em.url).host, SAMPLE_IDS.publicApp, ALICE));
    const cached = record?.accessTokens.find((t) => t.secret === token.token);
    assert.ok(cached, 'the token given is the cached one');
    assert.equal(token.tokenType, 'Bearer');
    assert.equal(token.expiresOnTimestamp, cached.expiresAt);
    // The client was made with refreshAheadSeconds: 120; the rule is the library's, not restated here.
    assert.equal(token.refreshAfterTimestamp, refreshDueAt(cached, 120_000));
    assert.ok(token.refreshAfterTimestamp! < token.expiresOnTimestamp);
    // A string scope is the same request.
    assert.equal((await credential.getToken(GRAPH)).token, token.token);
  });

  it('S105 through the credential: a claims challenge (as the Azure pipeline passes it) brings a new token, which later calls get from the cache', async () => {
    const credential = createTokenCredential(client);
    const old = await credential.getToken(GRAPH);
    const before = watched.tokenRequests.length;
    const fresh = await credential.getToken(GRAPH, { claims: CHALLENGE, enableCae: true });
    assert.notEqual(fresh.token, old.token);
    assert.deepEqual(watched.tokenRequests.slice(before), [
      { grantType: 'refresh_token', claims: CHALLENGE },
    ]);
    assert.equal((await credential.getToken(GRAPH)).token, fresh.token);
    assert.equal(watched.tokenRequests.length, before + 1);
  });

  it('S108 an aborted getToken rejects with AbortError: at once when already aborted, and while the provider does not answer', async () => {
    const credential = createTokenCredential(client);
    const before = watched.tokenRequests.length;
    await assert.rejects(credential.getToken(GRAPH, { abortSignal: AbortSignal.abort() }), {
      name: 'AbortError',
    });
    assert.equal(watched.tokenRequests.length, before, 'nothing was sent');
    // A claims challenge must reach the provider, which holds the request: the caller gives up.
    watched.hold();
    const controller = new AbortController();
    const pending = credential.getToken(GRAPH, { claims: CHALLENGE, abortSignal: controller.signal });
    while (watched.tokenRequests.length === before) await new Promise((r) => setImmediate(r));
    controller.abort();
    await within(5000, 'the aborted getToken', assert.rejects(pending, { name: 'AbortError' }));
    // The cache is not left locked: the next call is served.
    const next = await within(10_000, 'getToken after the abort', credential.getToken(GRAPH));
    assert.ok(next.token.length > 0);
  });

  it('S107 tenantId: the tenant the token comes from is accepted, another is refused as unavailable', async () => {
    const credential = createTokenCredential(client);
    const ok = await credential.getToken(GRAPH, { tenantId: SAMPLE_IDS.contoso.toUpperCase() });
    assert.ok(ok.token);
    // On a multi-tenant authority the account's tenant is the one.
    const organizations = createTokenClient({
      authority: `${em.url}/organizations`,
      clientId: SAMPLE_IDS.publicApp,
      cache: store,
      http: { fetch: watched.fetch },
    });
    await organizations.importAccount(await client.exportAccount(ALICE));
    const multi = createTokenCredential(organizations);
    assert.ok((await multi.getToken(GRAPH, { tenantId: SAMPLE_IDS.contoso })).token);
    for (const c of [credential, multi])
      await assert.rejects(c.getToken(GRAPH, { tenantId: SAMPLE_IDS.fabrikam }), (err: Error) => {
        assert.ok(err instanceof CredentialUnavailableError, String(err));
        assert.equal(err.name, 'CredentialUnavailableError');
        assert.match(err.message, new RegExp(`tenant ${SAMPLE_IDS.fabrikam}.*tenant ${SAMPLE_IDS.contoso}`));
        return true;
      });
  });

  it('S107 failures become the Azure errors a chain understands: unavailable when it cannot be used, AuthenticationError when the provider fails', async () => {
    const credential = createTokenCredential(client);
    const nobody = createTokenCredential(
      createTokenClient({ authority: authority(), clientId: SAMPLE_IDS.publicApp }),
    );
    await assert.rejects(nobody.getToken(GRAPH), (err: Error) => {
      assert.ok(err instanceof CredentialUnavailableError, String(err));
      // No account at all: the library says to sign in.
      assert.equal((err.cause as TokenloopError).code, 'INTERACTION_REQUIRED');
      return true;
    });
    // The provider's answers to a renewal (a claims challenge makes one), one scenario at a time.
    const cases = [
      { scenario: { grantRevoked: true }, name: 'CredentialUnavailableError', code: 'INTERACTION_REQUIRED' },
      { scenario: { mfaRequired: true }, name: 'CredentialUnavailableError', code: 'INTERACTION_REQUIRED' },
      { scenario: { serverError: 500 }, name: 'AuthenticationError', status: 500 },
      { scenario: { throttleSeconds: 1 }, name: 'AuthenticationError', status: 429 },
    ] as const;
    try {
      for (const c of cases) {
        em.setScenarios({ user: SAMPLE_IDS.alice }, c.scenario);
        await assert.rejects(credential.getToken(GRAPH, { claims: CHALLENGE }), (err: Error) => {
          assert.equal(err.name, c.name, `${JSON.stringify(c.scenario)}: ${String(err)}`);
          assert.match(err.message, /^tokenloop: /);
          if ('code' in c) assert.equal((err.cause as TokenloopError).code, c.code);
          if ('status' in c) {
            assert.ok(err instanceof AuthenticationError);
            assert.equal(err.statusCode, c.status);
            assert.ok(err.errorResponse.error.length > 0 && err.errorResponse.errorDescription.length > 0);
          }
          return true;
        });
      }
    } finally {
      em.setScenarios({ user: SAMPLE_IDS.alice }, {});
    }
  });

  it("S107 @azure/identity's ChainedTokenCredential moves on past an unavailable tokenloop credential, and stops at an AuthenticationError", async () => {
    const nobody = createTokenCredential(
      createTokenClient({ authority: authority(), clientId: SAMPLE_IDS.publicApp }),
    );
    const alice = createTokenCredential(client);
    const chain = new ChainedTokenCredential(nobody, alice);
    const token = await chain.getToken(GRAPH);
    assert.equal(token?.token, (await alice.getToken(GRAPH)).token);
    em.setScenarios({ user: SAMPLE_IDS.alice }, { serverError: 500 });
    try {
      const failing = new ChainedTokenCredential(alice, nobody);
      await assert.rejects(failing.getToken(GRAPH, { claims: CHALLENGE }), { name: 'AuthenticationError' });
    } finally {
      em.setScenarios({ user: SAMPLE_IDS.alice }, {});
    }
  });

  it('S107 app-only: client-credential tokens through the credential, the second from the cache', async () => {
    const daemon = createTokenClient({
      authority: authority(),
      clientId: SAMPLE_IDS.daemonApp,
      clientSecret: SAMPLE_SECRETS.daemonApp,
      http: { fetch: watched.fetch },
    });
    const credential = createTokenCredential(daemon, { appOnly: true });
    const before = watched.tokenRequests.length;
    const first = await credential.getToken(GRAPH);
    const second = await credential.getToken(GRAPH, { tenantId: SAMPLE_IDS.contoso });
    assert.equal(second.token, first.token);
    assert.deepEqual(watched.tokenRequests.slice(before), [
      { grantType: 'client_credentials', claims: null },
    ]);
    const challenged = await credential.getToken(GRAPH, { claims: CHALLENGE });
    assert.notEqual(challenged.token, first.token);
    assert.deepEqual(watched.tokenRequests.at(-1), { grantType: 'client_credentials', claims: CHALLENGE });
    await credential.close();
  });

  it('S107 sweep: every tokenloop error code has its Azure error; sign-in codes make the credential unavailable', () => {
    const names = { caller: 'TokenloopError', abort: 'AbortError' } as const;
    for (const [code, kind] of Object.entries(AZURE_ERROR_KINDS) as [ErrorCode, string][]) {
      const err = toAzureError(
        new SourceTokenloopError(code, 'what happened', { remediation: 'what to do' }),
      ) as Error;
      const expected =
        kind === 'unavailable'
          ? 'CredentialUnavailableError'
          : kind === 'authentication'
            ? 'AuthenticationError'
            : names[kind as keyof typeof names];
      assert.equal(err.name, expected, code);
      if (kind === 'unavailable' || kind === 'authentication') {
        assert.equal(err.message, 'tokenloop: what happened — what to do', code);
        assert.equal((err.cause as SourceTokenloopError).code, code);
      }
    }
    for (const code of ['ACCOUNT_NOT_FOUND', 'INTERACTION_REQUIRED', 'UNSAFE_FILE', 'CONFIGURATION'] as const)
      assert.equal(AZURE_ERROR_KINDS[code], 'unavailable', code);
    assert.equal(AZURE_ERROR_KINDS.CANCELLED, 'abort');
    assert.equal(AZURE_ERROR_KINDS.INVALID_ARGUMENT, 'caller');
  });
});
