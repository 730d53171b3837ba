import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { acquireFileLock, withFileLock } from '../../src/cache/stores/file-lock.js';
import { TokenloopError } from '../../src/errors/errors.js';
import { inTempDir } from './fixtures.js';

/** The PID of a process that has exited (so it is certainly not alive). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

function lockContent(pid: number, host = hostname()): string {
  return JSON.stringify({ pid, hostname: host, createdAt: Date.now(), token: 'someone-else' });
}

test('concurrent withFileLock callers in one process run one at a time, in order', async () => {
  await inTempDir(async (dir) => {
    const lockPath = join(dir, 'cache.lock');
    let inside = 0;
    let maxInside = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        withFileLock(lockPath, {}, async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          await new Promise((resolve) => setTimeout(resolve, 1));
          order.push(i);
          inside--;
        }),
      ),
    );
    assert.equal(maxInside, 1);
    assert.deepEqual(
      order,
      Array.from({ length: 20 }, (_, i) => i),
    );
    assert.deepEqual(await readdir(dir), [], 'lock file and temporary files are gone');
  });
});

test('the lock file holds pid, hostname, createdAt and a token, and is removed on release', async () => {
  await inTempDir(async (dir) => {
    const lockPath = join(dir, 'cache.lock');
    const lock = await acquireFileLock(lockPath);
    const content: Record<string, unknown> = JSON.parse(await readFile(lockPath, 'utf8'));
    assert.equal(content.pid, process.pid);
    assert.equal(content.hostname, hostname());
    assert.equal(typeof content.createdAt, 'number');
    assert.equal(typeof content.token, 'string');
    await lock.release();
    assert.deepEqual(await readdir(dir), []);
  });
});

test('C2: a lock held by a live process times out with TokenloopError CACHE after the bounded wait', async () => {
  await inTempDir(async (dir) => {
    const lockPath = join(dir, 'cache.lock');
    await writeFile(lockPath, lockContent(process.ppid)); // our parent: alive, not us
    const started = Date.now();
    await assert.rejects(
      acquireFileLock(lockPath, { timeoutMs: 300 }),
      (err) =>
        err instanceof TokenloopError &&
        err.code === 'CACHE' &&
        /timed out waiting for the cache lock/.test(err.message),
    );
    const waited = Date.now() - started;
    assert.ok(waited >= 300 && waited < 1_500, `waited ${waited} ms`);
  });
});

test('C2: a lock left by a dead process on this host is recovered at once', async () => {
  await inTempDir(async (dir) => {
    const lockPath = join(dir, 'cache.lock');
    await writeFile(lockPath, lockContent(deadPid()));
    const started = Date.now();
    const lock = await acquireFileLock(lockPath, { timeoutMs: 5_000 });
    assert.ok(Date.now() - started < 1_000, 'no waiting for staleMs');
    assert.equal(lock.recoveredStale, true);
    await lock.release();
  });
});

test('a lock bearing our own PID that this process does not hold (an earlier process with the same PID) is recovered', async () => {
  await inTempDir(async (dir) => {
    const lockPath = join(dir, 'cache.lock');
    await writeFile(lockPath, lockContent(process.pid));
    const lock = await acquireFileLock(lockPath, { timeoutMs: 500 });
    assert.equal(lock.recoveredStale, true);
    await lock.release();
  });
});

test('C2: a lock not refreshed for staleMs is recovered even when its holder cannot be checked (other host, garbage)', async () => {
  await inTempDir(async (dir) => {
    const lockPath = join(dir, 'cache.lock');
    for (const content of [lockContent(1, 'another-host'), 'not json at all']) {
      await writeFile(lockPath, content);
      const old = new Date(Date.now() - 60_000);
      await utimes(lockPath, old, old);
      const lock = await acquireFileLock(lockPath, { timeoutMs: 2_000, staleMs: 30_000 });
      assert.equal(lock.recoveredStale, true);
      await lock.release();
    }
  });
});

test('a holder keeps its lock fresh, so a long transaction is not taken over as stale', async () => {
  await inTempDir(async (dir) => {
    const lockPath = join(dir, 'cache.lock');
    const holder = await acquireFileLock(lockPath, { staleMs: 150 });
    await new Promise((resolve) => setTimeout(resolve, 400)); // well past staleMs
    await assert.rejects(
      acquireFileLock(lockPath, { timeoutMs: 200, staleMs: 150 }),
      (err) => err instanceof TokenloopError && err.code === 'CACHE',
    );
    await holder.assertHeld();
    await holder.release();
  });
});

test('a holder whose lock was taken over fails assertHeld and does not remove the new lock on release', async () => {
  await inTempDir(async (dir) => {
    const lockPath = join(dir, 'cache.lock');
    const first = await acquireFileLock(lockPath);
    await writeFile(lockPath, lockContent(process.ppid)); // someone else's lock now
    await assert.rejects(
      first.assertHeld(),
      (err) => err instanceof TokenloopError && /lost the cache lock/.test(err.message),
    );
    await first.release();
    assert.match(await readFile(lockPath, 'utf8'), /someone-else/);
  });
});
