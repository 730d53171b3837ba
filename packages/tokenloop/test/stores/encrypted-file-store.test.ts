import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { CACHE_SCHEMA_VERSION } from '../../src/model/account-record.js';
import {
  encryptedFileStore,
  type EncryptedFileStoreOptions,
} from '../../src/cache/stores/encrypted-file-store.js';
import { cacheKey, sealEnvelope } from '../../src/cache/stores/encryption.js';
import { TokenloopError } from '../../src/errors/errors.js';
import { setDebugSink } from '../../src/log/debug.js';
import {
  ACCESS_SECRET,
  counterOf,
  increment,
  makeRecord,
  REFRESH_SECRET,
  runChild,
  tempDir,
  inTempDir,
} from './fixtures.js';

function storeIn(dir: string, extra: Partial<EncryptedFileStoreOptions> = {}) {
  const warnings: string[] = [];
  const store = encryptedFileStore({
    path: join(dir, 'tokens', 'cache.json'),
    keyring: 'off',
    onWarning: (m) => warnings.push(m),
    ...extra,
  });
  return { store, warnings, path: store.path };
}

async function quarantined(dir: string): Promise<string[]> {
  return (await readdir(join(dir, 'tokens'))).filter((n) => n.includes('.corrupt-'));
}

test('file store: transact writes, get and list read back, next: null deletes, no next leaves the record', async () => {
  await inTempDir(async (dir) => {
    const { store } = storeIn(dir);
    assert.equal(await store.get('a'), undefined);
    assert.equal(
      await store.transact('a', async () => ({ next: makeRecord('a', 1), result: 'written' })),
      'written',
    );
    await store.transact('b', async () => ({ next: makeRecord('b', 2), result: undefined }));
    assert.equal(counterOf(await store.get('a')), 1);
    assert.deepEqual((await store.list()).map((r) => r.key).sort(), ['a', 'b']);
    assert.equal(await store.transact('a', async (current) => ({ result: counterOf(current) })), 1);
    await store.transact('a', async () => ({ next: null, result: undefined }));
    assert.equal(await store.get('a'), undefined);
    const other = storeIn(dir).store; // a second instance (another process) sees the same data
    assert.deepEqual(
      (await other.list()).map((r) => r.key),
      ['b'],
    );
  });
});

test('C1: file store: the file on disk is encrypted (no token or account strings), 0600 in a 0700 directory, no temp files', async () => {
  await inTempDir(async (dir) => {
    const { store, path } = storeIn(dir);
    for (let i = 0; i < 5; i++) await store.transact('a', (current) => increment(current, 'a'));
    const bytes = await readFile(path, 'utf8');
    for (const clear of [REFRESH_SECRET, ACCESS_SECRET, 'login.example.test', 'client-1']) {
      assert.ok(!bytes.includes(clear), 'plaintext must not reach the disk');
    }
    assert.equal(JSON.parse(bytes).format, 'tokenloop-cache');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, 'tokens'))).mode & 0o777, 0o700);
    assert.deepEqual((await readdir(join(dir, 'tokens'))).sort(), ['cache.json', 'cache.json.key']);
  });
});

test('file store: get on an unchanged file serves the decrypted copy without reading it again', async (t) => {
  await inTempDir(async (dir) => {
    const { store, path } = storeIn(dir);
    await store.transact('a', async () => ({ next: makeRecord('a', 7), result: undefined }));
    const old = new Date(Date.now() - 10_000); // out of the coarse-timestamp window
    await utimes(path, old, old);
    const first = await store.get('a');
    const second = await store.get('a');
    assert.equal(second, first, 'the very same parsed object: no decrypt, no parse');
    assert.ok(Object.isFrozen(first), 'shared copies are frozen');
    const n = 20_000;
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await store.get('a');
    const perCallUs = Number(process.hrtime.bigint() - started) / n / 1_000;
    t.diagnostic(`get on an unchanged file: ${perCallUs.toFixed(1)} µs per call`);
    assert.ok(perCallUs < 1_000, `${perCallUs} µs`);
  });
});

test('file store: get notices each write made by another instance at once (30 writes in a row)', async () => {
  await inTempDir(async (dir) => {
    const reader = storeIn(dir).store;
    const writer = storeIn(dir).store;
    for (let i = 1; i <= 30; i++) {
      await writer.transact('a', (current) => increment(current, 'a'));
      assert.equal(counterOf(await reader.get('a')), i);
    }
  });
});

test('file store: 50 concurrent transactions in one process lose no update', async (t) => {
  await inTempDir(async (dir) => {
    const { store } = storeIn(dir);
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 50 }, () => store.transact('a', (current) => increment(current, 'a'))),
    );
    t.diagnostic(
      `transact round trip (lock, read, write, fsync, unlock): ${((performance.now() - started) / 50).toFixed(2)} ms`,
    );
    assert.equal(counterOf(await store.get('a')), 50);
  });
});

test('file store: a record that fails validation is refused before anything is written', async () => {
  await inTempDir(async (dir) => {
    const { store } = storeIn(dir);
    await store.transact('a', async () => ({ next: makeRecord('a', 1), result: undefined }));
    const broken = { ...makeRecord('a', 2), accessTokens: [{ secret: 42 }] } as unknown as ReturnType<
      typeof makeRecord
    >;
    await assert.rejects(
      store.transact('a', async () => ({ next: broken, result: undefined })),
      (err) => err instanceof TokenloopError && err.code === 'INVALID_ARGUMENT',
    );
    await assert.rejects(
      store.transact('a', async () => ({ next: makeRecord('b', 2), result: undefined })),
      (err) => err instanceof TokenloopError && err.code === 'INVALID_ARGUMENT',
    );
    assert.equal(counterOf(await storeIn(dir).store.get('a')), 1);
  });
});

test('file store: an error thrown by fn reaches the caller unchanged and writes nothing', async () => {
  await inTempDir(async (dir) => {
    const { store } = storeIn(dir);
    const mine = new Error('refresh failed');
    await assert.rejects(
      store.transact('a', async () => {
        throw mine;
      }),
      (err) => err === mine,
    );
    assert.equal(await store.get('a'), undefined);
  });
});

const damages: [string, (path: string) => Promise<void>, RegExp][] = [
  [
    'a truncated file',
    async (path) => truncate(path, Math.floor((await stat(path)).size / 2)),
    /not a tokenloop cache/,
  ],
  ['garbage bytes', (path) => writeFile(path, randomBytes(300)), /not a tokenloop cache/],
  [
    'a future-version header',
    async (path) => {
      const header = JSON.parse(await readFile(path, 'utf8'));
      await writeFile(path, JSON.stringify({ ...header, v: 2 }));
    },
    /newer tokenloop/,
  ],
];

for (const [name, damage, why] of damages) {
  test(`C3: file store: ${name} is quarantined, warned about once, and the store keeps working`, async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const { store, warnings, path } = storeIn(dir);
      await store.transact('a', async () => ({ next: makeRecord('a', 1), result: undefined }));
      const original = await (async () => {
        await damage(path);
        return readFile(path);
      })();
      assert.equal(await store.get('a'), undefined);
      assert.deepEqual(await store.list(), []);
      assert.equal(await store.get('a'), undefined);
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0] ?? '', why);
      assert.match(warnings[0] ?? '', /moved to .*cache\.json\.corrupt-/);
      assert.ok(!(warnings[0] ?? '').includes(REFRESH_SECRET));
      const aside = await quarantined(dir);
      assert.equal(aside.length, 1);
      assert.deepEqual(await readFile(join(dir, 'tokens', aside[0] ?? '')), original, 'kept as it was');
      await store.transact('a', (current) => increment(current, 'a'));
      assert.equal(counterOf(await storeIn(dir).store.get('a')), 1);
      assert.equal(warnings.length, 1);
    } finally {
      await cleanup();
    }
  });
}

test('C3: file store: a file encrypted with another key is quarantined with a warning; the cache continues empty', async () => {
  await inTempDir(async (dir) => {
    const writer = storeIn(dir, { key: randomBytes(32) });
    await writer.store.transact('a', async () => ({ next: makeRecord('a', 1), result: undefined }));
    const reader = storeIn(dir, { key: randomBytes(32) });
    assert.equal(await reader.store.get('a'), undefined);
    assert.equal(await reader.store.get('a'), undefined);
    assert.equal(reader.warnings.length, 1);
    assert.match(reader.warnings[0] ?? '', /not available here \(wrong key\?\)/);
    assert.equal((await quarantined(dir)).length, 1);
    await reader.store.transact('b', async () => ({ next: makeRecord('b', 5), result: undefined }));
    assert.equal(counterOf(await reader.store.get('b')), 5);
  });
});

test('C3: file store: tokens sealed with a key this machine cannot reach (made with the OS keyring) are not orphaned by a new key', async () => {
  await inTempDir(async (dir) => {
    const writer = storeIn(dir, { key: randomBytes(32) }); // stands in for the keyring's key, absent here
    await writer.store.transact('a', async () => ({ next: makeRecord('a', 1), result: undefined }));
    const before = await readFile(writer.path);
    const reader = storeIn(dir); // keyring off, no key file: nowhere to find that key
    await assert.rejects(
      reader.store.get('a'),
      (err: unknown) =>
        err instanceof TokenloopError &&
        err.code === 'CACHE' &&
        /encrypted with a key that is not available here/.test(err.message) &&
        /OS keyring/.test(err.remediation ?? ''),
    );
    assert.deepEqual(await readFile(writer.path), before, 'the cache is untouched');
    assert.deepEqual(
      await readdir(join(dir, 'tokens')),
      ['cache.json'],
      'no new key file, nothing moved aside',
    );
    assert.equal(reader.warnings.length, 0);
    assert.equal(counterOf(await writer.store.get('a')), 1, 'where the key is, the tokens are still there');
  });
});

test('C3: file store: one invalid record among valid ones: the valid ones are kept, a copy of the original is kept aside', async () => {
  await inTempDir(async (dir) => {
    const key = randomBytes(32);
    const { store, warnings, path } = storeIn(dir, { key });
    await store.transact('a', async () => ({ next: makeRecord('a', 1), result: undefined }));
    const records = {
      a: makeRecord('a', 1),
      b: { ...makeRecord('b', 2), accessTokens: 'broken' },
      c: makeRecord('c', 3),
    };
    const plaintext = Buffer.from(JSON.stringify({ schema: CACHE_SCHEMA_VERSION, records }));
    await writeFile(path, sealEnvelope(plaintext, cacheKey(key)));
    assert.equal(counterOf(await store.get('a')), 1);
    assert.equal(await store.get('b'), undefined);
    assert.equal(counterOf(await store.get('c')), 3);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /1 damaged account record\(s\).*2 kept/);
    assert.equal((await quarantined(dir)).length, 1);
    const fresh = storeIn(dir, { key });
    assert.deepEqual((await fresh.store.list()).map((r) => r.key).sort(), ['a', 'c']);
    assert.equal(fresh.warnings.length, 0, 'the file was repaired');
  });
});

test('C3: file store: a document from a newer cache schema is quarantined, not misread', async () => {
  await inTempDir(async (dir) => {
    const key = randomBytes(32);
    const { store, warnings, path } = storeIn(dir, { key });
    await store.transact('a', async () => ({ next: makeRecord('a', 1), result: undefined }));
    const doc = Buffer.from(JSON.stringify({ schema: CACHE_SCHEMA_VERSION + 1, records: {} }));
    await writeFile(path, sealEnvelope(doc, cacheKey(key)));
    assert.deepEqual(await store.list(), []);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /newer tokenloop \(cache schema/);
  });
});

test("file store: keyring 'auto' on a machine without a reachable keyring uses a 0600 key file and says so", async () => {
  const { dir, cleanup } = await tempDir();
  const lines: string[] = [];
  const before = process.env.TOKENLOOP_DEBUG;
  process.env.TOKENLOOP_DEBUG = 'cache';
  setDebugSink((line) => lines.push(line));
  try {
    const { store, path } = storeIn(dir, { keyring: 'auto' });
    const started = performance.now();
    await store.transact('a', async () => ({ next: makeRecord('a', 1), result: undefined }));
    assert.ok(performance.now() - started < 3_000, 'the keyring probe is bounded');
    assert.equal(await store.keySource(), 'key-file');
    const keyFile = `${path}.key`;
    assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
    assert.equal(Buffer.from((await readFile(keyFile, 'utf8')).trim(), 'base64').length, 32);
    assert.ok(lines.some((l) => l.includes('no OS keyring reachable')));
    assert.ok(lines.some((l) => l.includes(`cache key from ${keyFile}`)));
  } finally {
    setDebugSink(undefined);
    if (before === undefined) delete process.env.TOKENLOOP_DEBUG;
    else process.env.TOKENLOOP_DEBUG = before;
    await cleanup();
  }
});

test('file store: a key given as an option is used as is, and no key file is made', async () => {
  await inTempDir(async (dir) => {
    const { store } = storeIn(dir, { key: randomBytes(32) });
    await store.transact('a', async () => ({ next: makeRecord('a', 1), result: undefined }));
    assert.equal(await store.keySource(), 'option');
    assert.deepEqual(await readdir(join(dir, 'tokens')), ['cache.json']);
    assert.throws(
      () => encryptedFileStore({ path: join(dir, 'x'), key: new Uint8Array(5) }),
      (err) => err instanceof TokenloopError && err.code === 'INVALID_ARGUMENT',
    );
  });
});

test('file store: reading a cache that does not exist creates nothing (no directory, no key)', async () => {
  await inTempDir(async (dir) => {
    const { store } = storeIn(dir);
    assert.equal(await store.get('a'), undefined);
    assert.deepEqual(await store.list(), []);
    assert.deepEqual(await readdir(dir), []);
  });
});

test('file store: a cache the user may not read fails with TokenloopError CACHE and a remediation', async (t) => {
  if (process.platform === 'win32') return t.skip('POSIX permissions');
  await inTempDir(async (dir) => {
    const { store, path } = storeIn(dir);
    await store.transact('a', async () => ({ next: makeRecord('a', 1), result: undefined }));
    await mkdir(join(dir, 'tokens'), { recursive: true });
    await chmod(join(dir, 'tokens'), 0o000);
    const child = runChild('read-cache', [path, 'a'], { obeyPermissions: true });
    await child.exited;
    await chmod(join(dir, 'tokens'), 0o700);
    const outcome: Record<string, unknown> = JSON.parse(child.output());
    assert.equal(outcome.ok, false);
    assert.equal(outcome.code, 'CACHE');
    assert.match(String(outcome.message), /permission denied/);
    assert.match(String(outcome.remediation), /belong to the user/);
  });
});

test('file store: inside a transaction, get works and a nested transact fails at once instead of deadlocking', async () => {
  await inTempDir(async (dir) => {
    const { store } = storeIn(dir);
    await store.transact('a', async () => ({ next: makeRecord('a', 1), result: undefined }));
    const result = await store.transact('a', async () => {
      const seen = counterOf(await store.get('a'));
      await assert.rejects(
        store.transact('b', (current) => increment(current, 'b')),
        (err) => err instanceof TokenloopError && err.code === 'INVALID_ARGUMENT',
      );
      return { result: seen };
    });
    assert.equal(result, 1);
  });
});
