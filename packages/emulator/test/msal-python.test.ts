/**
 * MSAL Python (Debian's python3-msal, under Debian's Python) judges the emulator's token responses with its own
 * cache, exactly as the seeds use it: sign in, then `acquire_token_silent(["User.Read"], account=…)` on every
 * call. MSAL Python stores each access token under the response's `scope` and serves a later request from the
 * cache only when every requested scope is among the stored ones (an exact, case-sensitive comparison), so a
 * response that names the scopes in another form than the app asked for costs a refresh on every call. The
 * emulator's `/_emulator/stats` (read over HTTP) counts what reached its token endpoint.
 */
import * as assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSelfSignedKey, SAMPLE_IDS, startEmulator } from '../src/index.ts';
import {
  registerCacheTestApp,
  removeSharedCa,
  type ScopeCase,
  sharedCa,
  TENANT,
} from './msal/cache-cases.ts';
import { ALICE, type CacheRoundClient, cacheRound } from './msal/cache-round.ts';
import { type MsalPython, type PythonResult, startMsalPython } from './msal/python-harness.ts';

const TEST = { timeout: 180_000 };

let dataDir: string | undefined;
let caPem: string;
let python: MsalPython;

before(async () => {
  const ca = await sharedCa();
  dataDir = ca.dataDir;
  caPem = ca.caPem;
  python = await startMsalPython(ca.caCertFile);
});

describe('MSAL Python trusts the emulator through a CA bundle', () => {
  it(
    'MSAL Python: ca.pem followed by another certificate in one REQUESTS_CA_BUNDLE file still verifies the emulator',
    TEST,
    async () => {
      // As users build a bundle: `cat ca.pem other.pem > bundle.pem`. Without a final newline in ca.pem the
      // two PEM blocks run into one line and the bundle cannot be read.
      const other = await createSelfSignedKey('another CA in the bundle');
      const bundle = join(dataDir!, 'bundle.pem');
      await writeFile(bundle, caPem + other.certificatePem);
      const e = await startEmulator({
        https: true,
        dataDir,
        autoLogin: 'alice',
        settings: { deviceCodeInterval: 1 },
      });
      const bundled = await startMsalPython(bundle);
      try {
        const clientId = registerCacheTestApp(e);
        await bundled.call({ op: 'createApp', name: 'bundle', clientId, authority: `${e.url}/${TENANT}` });
        const r = await bundled.call({
          op: 'signIn',
          name: 'bundle',
          flow: 'device_code',
          scopes: ['User.Read'],
        });
        assert.equal(r.error, undefined, r.description);
        assert.equal(r.aud, 'https://graph.microsoft.com');
      } finally {
        await bundled.close();
        await e.close();
      }
    },
  );
});

after(async () => {
  await python?.close();
  await removeSharedCa(dataDir);
});

type Flow = 'auth_code' | 'device_code' | 'ropc';
const FLOW_NAMES: Record<Flow, string> = {
  auth_code: 'auth code',
  device_code: 'device code',
  ropc: 'username/password',
};

function assertToken(r: PythonResult, c: ScopeCase, what: string): void {
  assert.equal(r.error, undefined, `${c.label}: ${what}: ${r.error} ${r.description ?? ''}`);
  assert.equal(r.none, undefined, `${c.label}: ${what}: MSAL Python returned None`);
  assert.equal(r.aud, c.aud, `${c.label}: ${what}: audience`);
  assert.equal(r.oid, SAMPLE_IDS.alice);
}

let appCounter = 0;

/** MSAL Python in the cache round: an app of the driver, by its name. */
function msalPythonClient(flow: Flow): CacheRoundClient<string> {
  const silent = (name: string, c: ScopeCase) =>
    python.call({ op: 'silent', name, username: ALICE.username, scopes: c.scopes });
  return {
    async createApp(clientId, authority) {
      const name = `py-${++appCounter}`;
      await python.call({ op: 'createApp', name, clientId, authority });
      return name;
    },
    async signIn(name, c) {
      const first = await python.call({
        op: 'signIn',
        name,
        flow,
        scopes: c.scopes,
        ...ALICE,
        // Never listened on: the auto-login emulator's redirect is read, not followed.
        redirectUri: 'http://127.0.0.1:1/',
      });
      assertToken(first, c, 'sign-in');
      assert.equal(first.has_refresh_token, true, `${c.label}: a refresh token`);
    },
    async silentFromCache(name, c, i) {
      const again = await silent(name, c);
      assertToken(again, c, `silent call ${i + 1}`);
      assert.equal(again.same_token_as_before, true, `${c.label}: silent call ${i + 1} from the cache`);
    },
    async silentAfterExpiry(name, c) {
      const later = await silent(name, c);
      assertToken(later, c, 'after expiry');
      assert.equal(later.same_token_as_before, false, `${c.label}: a new access token`);
    },
    async silentAfterRefresh(name, c) {
      const next = await silent(name, c);
      assert.equal(
        next.same_token_as_before,
        true,
        `${c.label}: the refreshed token is served from the cache`,
      );
    },
  };
}

describe('MSAL Python: its own cache decides whether the emulator answered as Entra does', () => {
  for (const flow of ['auth_code', 'device_code', 'ropc'] as const) {
    it(
      `MSAL Python: after ${FLOW_NAMES[flow]} sign-in, acquire_token_silent with the same scopes makes 0 token requests; after expiry exactly 1 refresh`,
      TEST,
      () => cacheRound({ dataDir, caPem }, msalPythonClient(flow)),
    );
  }
});
