import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { TokenloopError } from '../../src/errors/errors.js';
import {
  createFileExclusive,
  removeOrphanTempFiles,
  tempFileName,
  writeFileAtomic,
} from '../../src/private-files/atomic-write.js';
import { ensurePrivateDirectory } from '../../src/private-files/private-directory.js';
import { inTempDir } from './fixtures.js';

test('C1: writeFileAtomic replaces the file, leaves no temporary file, and the file is mode 0600', async () => {
  await inTempDir(async (dir) => {
    const path = join(dir, 'cache.json');
    await writeFileAtomic(path, 'first');
    await writeFileAtomic(path, 'second');
    assert.equal(await readFile(path, 'utf8'), 'second');
    assert.deepEqual(await readdir(dir), ['cache.json']);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
  });
});

test('C1: writeFileAtomic that cannot rename keeps the old target and removes its temporary file', async () => {
  await inTempDir(async (dir) => {
    const path = join(dir, 'occupied');
    await mkdir(path); // a non-empty directory cannot be replaced by a file
    await writeFile(join(path, 'inside'), 'old');
    await assert.rejects(writeFileAtomic(path, 'new'));
    assert.deepEqual(await readdir(dir), ['occupied']);
    assert.equal(await readFile(join(path, 'inside'), 'utf8'), 'old');
  });
});

test('C1: ensurePrivateDirectory creates missing directories with mode 0700', async () => {
  await inTempDir(async (dir) => {
    const nested = join(dir, 'a', 'b');
    await ensurePrivateDirectory(nested);
    assert.equal((await stat(nested)).mode & 0o777, 0o700);
  });
});

test('S80 ensurePrivateDirectory refuses an existing directory others may write to (and leaves its mode); a private one passes', async () => {
  await inTempDir(async (dir) => {
    const shared = join(dir, 'shared');
    await mkdir(shared);
    await chmod(shared, 0o777);
    await assert.rejects(
      ensurePrivateDirectory(shared),
      (err) =>
        err instanceof TokenloopError &&
        err.code === 'UNSAFE_FILE' &&
        /other users may write/.test(err.message),
    );
    assert.equal((await stat(shared)).mode & 0o777, 0o777);
    await ensurePrivateDirectory(join(dir, 'private'));
    assert.equal((await stat(join(dir, 'private'))).mode & 0o777, 0o700);
  });
});

test('C1: createFileExclusive creates a complete 0600 file once and refuses to replace it', async () => {
  await inTempDir(async (dir) => {
    const path = join(dir, 'cache.key');
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => createFileExclusive(path, `v${i}`)),
    );
    assert.equal(results.filter(Boolean).length, 1);
    const winner = results.indexOf(true);
    assert.equal(await readFile(path, 'utf8'), `v${winner}`);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(dir), ['cache.key']);
  });
});

test('removeOrphanTempFiles removes only temporary files of the given path', async () => {
  await inTempDir(async (dir) => {
    const path = join(dir, 'cache.json');
    await writeFile(path, 'data');
    await writeFile(tempFileName(path), 'half');
    await writeFile(tempFileName(`${path}.lock`), 'lock temp');
    assert.equal(await removeOrphanTempFiles(path), 1);
    const left = (await readdir(dir)).sort();
    assert.equal(left.length, 2);
    assert.ok(left.includes('cache.json'));
    assert.ok(left.some((n) => n.startsWith('cache.json.lock.tmp-')));
  });
});
