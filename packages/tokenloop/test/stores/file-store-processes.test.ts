import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { encryptedFileStore } from '../../src/cache/stores/encrypted-file-store.js';
import { counterOf, increment, makeRecord, runChild, inTempDir } from './fixtures.js';

function storeAt(path: string) {
  const warnings: string[] = [];
  return {
    store: encryptedFileStore({ path, keyring: 'off', onWarning: (m) => warnings.push(m) }),
    warnings,
  };
}

test('C2, C4: 8 processes x 25 increments of one record through the file store: exactly 200, no lost update', async (t) => {
  await inTempDir(async (dir) => {
    const path = join(dir, 'cache.json'); // no cache and no key yet: the children also race to create the key
    const started = performance.now();
    const children = Array.from({ length: 8 }, () => runChild('increment', [path, 'counter', '25']));
    assert.deepEqual(await Promise.all(children.map((c) => c.exited)), Array(8).fill(0));
    t.diagnostic(
      `8 processes x 25 transactions: ${Math.round(performance.now() - started)} ms including process start-up`,
    );
    const { store, warnings } = storeAt(path);
    assert.equal(counterOf(await store.get('counter')), 200);
    assert.deepEqual(warnings, []);
    assert.deepEqual((await readdir(dir)).sort(), ['cache.json', 'cache.json.key']);
  });
});

test('C2: kill -9 of a process holding the lock: the next process recovers the lock at once and keeps the data', async (t) => {
  await inTempDir(async (dir) => {
    const path = join(dir, 'cache.json');
    const { store, warnings } = storeAt(path);
    await store.transact('a', async () => ({ next: makeRecord('a', 41), result: undefined }));
    const holder = runChild('hold-lock', [path]);
    await holder.waitFor('locked');
    holder.process.kill('SIGKILL');
    assert.equal(await holder.exited, 'SIGKILL');
    const started = performance.now();
    const next = storeAt(path).store;
    assert.equal(await next.transact('a', (current) => increment(current, 'a')), 42);
    const recoveryMs = performance.now() - started;
    t.diagnostic(`stale lock of a killed process recovered in ${recoveryMs.toFixed(1)} ms`);
    assert.ok(recoveryMs < 2_000, `${recoveryMs} ms`);
    assert.deepEqual(warnings, []);
    assert.deepEqual((await readdir(dir)).sort(), ['cache.json', 'cache.json.key']);
  });
});

test('C1, C2: kill -9 between writing the temporary file and renaming it: previous data intact, lock and temp file cleaned up', async () => {
  await inTempDir(async (dir) => {
    const path = join(dir, 'cache.json');
    const { store, warnings } = storeAt(path);
    await store.transact('a', async () => ({ next: makeRecord('a', 9), result: undefined }));
    const writer = runChild('hold-lock', [path, 'mid-write']);
    assert.equal(await writer.exited, 'SIGKILL');
    const files = await readdir(dir);
    assert.ok(files.includes('cache.json.lock'), 'the dead writer left its lock');
    assert.ok(
      files.some((n) => n.startsWith('cache.json.tmp-')),
      'and its half-written temporary file',
    );
    const reader = storeAt(path);
    assert.equal(counterOf(await reader.store.get('a')), 9, 'readers never see the half-written file');
    assert.equal(await reader.store.transact('a', (current) => increment(current, 'a')), 10);
    assert.deepEqual((await readdir(dir)).sort(), ['cache.json', 'cache.json.key']);
    assert.deepEqual([...warnings, ...reader.warnings], []);
  });
});

test('C2: kill -9 of one of several incrementing processes at a random moment: cache readable, no completed update lost', async () => {
  await inTempDir(async (dir) => {
    const path = join(dir, 'cache.json');
    const victim = runChild('increment', [path, 'counter', '1000', '1']);
    const others = Array.from({ length: 3 }, () => runChild('increment', [path, 'counter', '20']));
    await victim.waitFor('done');
    await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 150));
    victim.process.kill('SIGKILL');
    assert.equal(await victim.exited, 'SIGKILL');
    assert.deepEqual(await Promise.all(others.map((c) => c.exited)), [0, 0, 0]);
    const confirmed = victim
      .output()
      .split('\n')
      .filter((l) => l === 'done').length;
    const { store, warnings } = storeAt(path);
    const total = counterOf(await store.get('counter'));
    // The victim may have committed one more update than it lived to report.
    assert.ok(
      total === 60 + confirmed || total === 61 + confirmed,
      `total ${total}, confirmed ${60 + confirmed}`,
    );
    assert.deepEqual(warnings, []);
  });
});
