// S93: any local user can reach the emulator's admin API (it is a loopback test tool), so what it can make the
// emulator hold is bounded: tenants, apps, users, certificates per app and published signing keys are capped,
// and the entries added while it runs take at most a fixed number of bytes in all; past a bound the API answers
// 409 `directory_full`, saying which bound and what to do, and the emulator keeps serving. The reported case: an
// emulator with a 200 MB heap and thousands of apps of 240 redirect URIs each. A config file past the bounds is
// refused at start. Every store of the emulator's state is of a bounded kind (a sweep over createState()).
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSelfSignedKey, type RunningEmulator, startEmulator } from '../src/index.ts';
import { DIRECTORY_LIMITS } from '../src/directory/limits.ts';
import { MAX_PUBLISHED_KEYS } from '../src/keys/signing-keys.ts';
import { BoundedMap } from '../src/state/bounded-map.ts';
import { RevocationStore } from '../src/state/revocation-store.ts';
import { createState } from '../src/state/state.ts';
import { Stats } from '../src/state/stats.ts';
import { FailureThrottle } from '../src/state/throttle.ts';
import { TtlStore } from '../src/state/ttl-store.ts';
import { startEmulatorProcess } from './support/emulator-process.ts';

const MiB = 1024 * 1024;

interface Reply {
  status: number;
  body: { error?: string; error_description?: string };
}

async function post(url: string, path: string, body: unknown): Promise<Reply> {
  const res = await fetch(`${url}/_emulator${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Reply['body'] };
}

/** Posts `make(i)` until the API refuses (or `max` tries); the successes and the first refusal. */
async function fill(
  url: string,
  path: string,
  make: (i: number) => unknown,
  max: number,
): Promise<{ added: number; refusal?: Reply }> {
  for (let i = 0; i < max; i++) {
    const r = await post(url, path, make(i));
    if (r.status !== 201) return { added: i, refusal: r };
  }
  return { added: max };
}

const bigApp = (i: number) => ({
  name: `flood ${i}`,
  type: 'public',
  redirectUris: Array.from(
    { length: 240 },
    (_, j) => `http://localhost/${String(j).padStart(4, '0')}${'x'.repeat(230)}`,
  ),
});

describe('S93 the admin API cannot grow the emulator without bound', () => {
  const KINDS: { kind: 'tenants' | 'apps' | 'users'; path: string; make: (i: number) => unknown }[] = [
    { kind: 'tenants', path: '/api/tenants', make: (i) => ({ domain: `t${i}.example.test` }) },
    { kind: 'apps', path: '/api/apps', make: (i) => ({ name: `app ${i}`, type: 'public' }) },
    {
      kind: 'users',
      path: '/api/users',
      make: (i) => ({ username: `u${i}@contoso.onmicrosoft.com`, password: 'pw' }),
    },
  ];
  for (const { kind, path, make } of KINDS) {
    it(`S93 ${kind}: at most ${DIRECTORY_LIMITS[kind]}, then 409 directory_full naming the bound; the emulator keeps serving`, async () => {
      const e: RunningEmulator = await startEmulator({});
      try {
        const before = e.directory()[kind].length;
        const r = await fill(e.url, path, make, DIRECTORY_LIMITS[kind] + 10);
        assert.equal(r.added, DIRECTORY_LIMITS[kind] - before, `added until the bound (${r.added})`);
        assert.equal(r.refusal?.status, 409);
        assert.equal(r.refusal?.body.error, 'directory_full');
        assert.match(
          r.refusal?.body.error_description ?? '',
          new RegExp(`at most ${DIRECTORY_LIMITS[kind]} ${kind}`),
        );
        assert.match(r.refusal?.body.error_description ?? '', /restart the emulator/);
        assert.equal(e.directory()[kind].length, DIRECTORY_LIMITS[kind]);
        const discovery = await fetch(`${e.url}/common/v2.0/.well-known/openid-configuration`);
        assert.equal(discovery.status, 200, 'still serving');
      } finally {
        await e.close();
      }
    });
  }

  it(`S93 certificates: at most ${DIRECTORY_LIMITS.certificatesPerApp} per app, then 409`, async () => {
    const e = await startEmulator({});
    try {
      const app = e.addApp({ name: 'cert app', type: 'daemon' });
      const { certificatePem } = await createSelfSignedKey('limits-test');
      const r = await fill(
        e.url,
        `/api/apps/${app.clientId}/certificates`,
        () => ({ certificatePem }),
        DIRECTORY_LIMITS.certificatesPerApp + 5,
      );
      assert.equal(r.added, DIRECTORY_LIMITS.certificatesPerApp);
      assert.equal(r.refusal?.status, 409);
      assert.match(r.refusal?.body.error_description ?? '', /at most \d+ certificates/);
    } finally {
      await e.close();
    }
  });

  it('S93 the programmatic handle is held to the same bounds', async () => {
    const e = await startEmulator({});
    try {
      const before = e.directory().apps.length;
      for (let i = before; i < DIRECTORY_LIMITS.apps; i++) e.addApp({ name: `h${i}`, type: 'public' });
      assert.throws(() => e.addApp({ name: 'one too many', type: 'public' }), /at most \d+ apps/);
    } finally {
      await e.close();
    }
  });

  it('S93 the reported case: thousands of big apps from another process leave the emulator alive and small', async () => {
    const e = await startEmulatorProcess({});
    try {
      const before = await e.memory();
      const r = await fill(e.url, '/api/apps', bigApp, 4000);
      assert.equal(r.refusal?.status, 409, `refused after ${r.added} apps`);
      assert.match(r.refusal?.body.error_description ?? '', /MiB/);
      assert.ok(r.added * JSON.stringify(bigApp(0)).length <= DIRECTORY_LIMITS.addedBytes);
      // Keep trying: every further one is refused, nothing grows.
      for (let i = 0; i < 200; i++)
        assert.equal((await post(e.url, '/api/apps', bigApp(r.added + i))).status, 409);
      const after = await e.memory();
      const grown = after.heapUsed - before.heapUsed;
      assert.ok(grown < 64 * MiB, `the heap grew by ${Math.round(grown / MiB)} MiB`);
      assert.equal(e.exited(), undefined, 'the emulator is still running');
    } finally {
      await e.close();
    }
  });

  it('S93 signing keys: rotation keeps at most a bounded number published', async () => {
    const e = await startEmulator({});
    try {
      for (let i = 0; i < MAX_PUBLISHED_KEYS + 3; i++)
        assert.equal((await post(e.url, '/api/keys/rotate', {})).status, 200);
      const jwks = (await (await fetch(`${e.url}/common/discovery/v2.0/keys`)).json()) as { keys: unknown[] };
      assert.equal(jwks.keys.length, MAX_PUBLISHED_KEYS);
    } finally {
      await e.close();
    }
  });

  it('S93 a config file past the bounds is refused at start, saying which', async () => {
    const apps = Array.from({ length: DIRECTORY_LIMITS.apps + 1 }, (_, i) => ({
      name: `a${i}`,
      type: 'public' as const,
    }));
    await assert.rejects(
      startEmulator({ config: { tenants: [{ domain: 'contoso.onmicrosoft.com' }], apps } }),
      new RegExp(`at most ${DIRECTORY_LIMITS.apps} apps`),
    );
  });
});

describe('S93 every store of the emulator state is bounded (a sweep over createState())', () => {
  it('S93 each store is a bounded kind: TtlStore, FailureThrottle, BoundedMap, RevocationStore or the fixed-size Stats', () => {
    const state = createState();
    const unbounded = Object.entries(state)
      .filter(
        ([, v]) =>
          !(
            v instanceof TtlStore ||
            v instanceof FailureThrottle ||
            v instanceof BoundedMap ||
            v instanceof RevocationStore ||
            v instanceof Stats
          ),
      )
      .map(([k]) => k);
    assert.deepEqual(unbounded, []);
  });

  it('S93 a BoundedMap forgets its oldest entries past its bound', () => {
    const m = new BoundedMap<string, number>(3);
    for (let i = 0; i < 10; i++) m.set(`k${i}`, i);
    assert.deepEqual([...m.keys()], ['k7', 'k8', 'k9']);
    m.set('k8', 80); // updating counts as new
    m.set('k10', 10);
    assert.deepEqual([...m.keys()], ['k9', 'k8', 'k10']);
  });
});
