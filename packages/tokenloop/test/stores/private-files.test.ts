// S80–S83: the encrypted file store keeps the user's secrets only in the user's own private, regular files, in
// folders no other user can write to; a FIFO, a link or another user's file planted in their place is refused at
// once with the fix, never read, written or waited on. "Another user" is uid 65534: the test (root in CI)
// plants with chown, so no child process has to reach this checkout.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { chmod, chown, lchown, lstat, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TokenloopError } from '../../src/errors/errors.js';
import { encryptedFileStore } from '../../src/cache/stores/encrypted-file-store.js';
import { writePrivateFile } from '../../src/private-files/atomic-write.js';
import { checkPrivateDirectory, ensurePrivateDirectory } from '../../src/private-files/private-directory.js';
import { readPrivateFile } from '../../src/private-files/read-private-file.js';
import { boundedWait, makeFifo, OTHER_UID, plantAsOtherUser, unblockFifo } from './file-trust-plant.js';
import { makeRecord, inTempDir } from './fixtures.js';

const KEY = new Uint8Array(32).fill(7);
const POSIX = process.platform !== 'win32';
const AS_ROOT = process.getuid?.() === 0;

function refused(path: string, reason: RegExp) {
  return (err: unknown) =>
    err instanceof TokenloopError &&
    err.code === 'UNSAFE_FILE' &&
    err.message.includes(path) &&
    reason.test(err.message) &&
    (err.remediation ?? '').length > 0;
}

const write = (store: ReturnType<typeof encryptedFileStore>) =>
  store.transact('a', async () => ({ next: makeRecord('a', 1), result: 'written' }));

// S83: a FIFO planted where the store opens a file: the call is refused at once (within a bound), the FIFO left.
const FIFO_PLANTS: Array<{
  name: string;
  at: (path: string) => string;
  call: (path: string) => Promise<unknown>;
  fifoLeft?: boolean;
}> = [
  {
    name: 'S83 a FIFO planted as the cache lock: the transaction is refused at once, within its lock timeout',
    at: (path) => `${path}.lock`,
    call: (path) => write(encryptedFileStore({ path, key: KEY, lockTimeoutMs: 1_000 })),
    fifoLeft: true,
  },
  {
    name: 'S83 a FIFO planted as the cache file: reading is refused at once',
    at: (path) => path,
    call: (path) => encryptedFileStore({ path, key: KEY, lockTimeoutMs: 1_000 }).get('a'),
  },
  {
    name: 'S83 a FIFO planted as the key file: the key lookup is refused at once',
    at: (path) => `${path}.key`,
    call: (path) => encryptedFileStore({ path, keyring: 'off', lockTimeoutMs: 1_000 }).keySource(),
  },
];

for (const plant of FIFO_PLANTS) {
  test(plant.name, async (t) => {
    if (!POSIX) return t.skip('FIFOs are POSIX');
    await inTempDir(async (dir) => {
      const path = join(dir, 'tokens.cache');
      const fifo = plant.at(path);
      try {
        makeFifo(fifo);
        await assert.rejects(boundedWait(3_000, plant.call(path)), refused(fifo, /not a regular file/));
        if (plant.fifoLeft) assert.ok((await lstat(fifo)).isFIFO(), 'the planted FIFO is left as it was');
      } finally {
        await unblockFifo(fifo);
      }
    });
  });
}

test('S82 a key file other users may read is refused with the chmod fix (not used with a warning)', async (t) => {
  if (!POSIX) return t.skip('POSIX permissions');
  await inTempDir(async (dir) => {
    const path = join(dir, 'tokens.cache');
    await writeFile(`${path}.key`, `${randomBytes(32).toString('base64')}\n`);
    await chmod(`${path}.key`, 0o644);
    const warnings: string[] = [];
    const store = encryptedFileStore({ path, keyring: 'off', onWarning: (m) => warnings.push(m) });
    await assert.rejects(store.keySource(), (err) => {
      assert.ok(refused(`${path}.key`, /other users may read/)(err), String(err));
      assert.match((err as TokenloopError).remediation ?? '', /chmod 600 /);
      return true;
    });
    await assert.rejects(write(store), refused(`${path}.key`, /other users may read/));
    await assert.rejects(readFile(path), /ENOENT/, 'nothing was sealed with it');
  });
});

test('S82 a key file that belongs to another user is refused, even at mode 0600: the cache is not sealed with it', async (t) => {
  if (!POSIX || !AS_ROOT) return t.skip('planting as another user needs root');
  await inTempDir(async (dir) => {
    const path = join(dir, 'tokens.cache');
    await writeFile(`${path}.key`, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    await chown(`${path}.key`, OTHER_UID, OTHER_UID);
    const store = encryptedFileStore({ path, keyring: 'off' });
    await assert.rejects(write(store), refused(`${path}.key`, /belongs to user 65534/));
    await assert.rejects(readFile(path), /ENOENT/);
  });
});

test('S81 a cache file that is a symbolic link is refused; the file it points to is neither read nor replaced', async (t) => {
  if (!POSIX) return t.skip('POSIX links');
  await inTempDir(async (dir) => {
    const path = join(dir, 'tokens.cache');
    const decoy = join(dir, 'decoy');
    await writeFile(decoy, 'not yours');
    await symlink(decoy, path);
    const store = encryptedFileStore({ path, key: KEY });
    await assert.rejects(store.get('a'), refused(path, /symbolic link/));
    await assert.rejects(write(store), refused(path, /symbolic link/));
    assert.ok((await lstat(path)).isSymbolicLink());
    assert.equal(await readFile(decoy, 'utf8'), 'not yours');
  });
});

test('S81 a cache lock that is a symbolic link is refused at once', async (t) => {
  if (!POSIX) return t.skip('POSIX links');
  await inTempDir(async (dir) => {
    const path = join(dir, 'tokens.cache');
    await symlink(join(dir, 'elsewhere'), `${path}.lock`);
    const store = encryptedFileStore({ path, key: KEY, lockTimeoutMs: 1_000 });
    await assert.rejects(boundedWait(3_000, write(store)), refused(`${path}.lock`, /symbolic link/));
  });
});

test('S81 a cache file that belongs to another user is refused, not decrypted or quarantined', async (t) => {
  if (!POSIX || !AS_ROOT) return t.skip('planting as another user needs root');
  await inTempDir(async (dir) => {
    const path = join(dir, 'tokens.cache');
    await write(encryptedFileStore({ path, key: KEY }));
    await chown(path, OTHER_UID, OTHER_UID);
    const store = encryptedFileStore({ path, key: KEY });
    await assert.rejects(store.get('a'), refused(path, /belongs to user 65534/));
  });
});

test('S80 a cache folder inside a folder another user owns and may write to is refused, and nothing is written', async (t) => {
  if (!POSIX || !AS_ROOT) return t.skip('planting as another user needs root');
  await inTempDir(async (dir) => {
    const shared = join(dir, 'shared');
    const path = join(shared, 'mine', 'tokens.cache');
    await plantAsOtherUser(shared, 0o777);
    const store = encryptedFileStore({ path, key: KEY });
    await assert.rejects(write(store), refused(shared, /belongs to user 65534/));
    await assert.rejects(lstat(join(shared, 'mine')), /ENOENT/, 'no folder was made in it');
  });
});

test('S80 a cache folder others may write to is refused with the chmod fix (not only warned about)', async (t) => {
  if (!POSIX) return t.skip('POSIX permissions');
  await inTempDir(async (dir) => {
    const shared = join(dir, 'shared');
    await mkdir(shared);
    await chmod(shared, 0o777);
    const store = encryptedFileStore({ path: join(shared, 'tokens.cache'), key: KEY });
    await assert.rejects(write(store), (err) => {
      assert.ok(refused(shared, /other users may write to it/)(err), String(err));
      assert.match((err as TokenloopError).remediation ?? '', /chmod go-w /);
      return true;
    });
    await assert.rejects(lstat(join(shared, 'tokens.cache')), /ENOENT/);
  });
});

test("S80 a shared sticky folder (like /tmp) is fine above a folder of the user's own, not above another user's", async (t) => {
  if (!POSIX || !AS_ROOT) return t.skip('planting as another user needs root');
  await inTempDir(async (dir) => {
    const sticky = join(dir, 'tmp');
    await mkdir(sticky);
    await chmod(sticky, 0o1777);
    await ensurePrivateDirectory(join(sticky, 'mine', 'tokenloop'));
    assert.equal((await stat(join(sticky, 'mine'))).mode & 0o777, 0o700, 'made private');
    await plantAsOtherUser(join(sticky, 'theirs'), 0o755);
    await assert.rejects(
      ensurePrivateDirectory(join(sticky, 'theirs', 'tokenloop')),
      refused(join(sticky, 'theirs'), /belongs to user 65534/),
    );
    await assert.rejects(lstat(join(sticky, 'theirs', 'tokenloop')), /ENOENT/);
  });
});

test('S80 links on the way are followed and what they lead to is checked; a link another user made is refused', async (t) => {
  if (!POSIX || !AS_ROOT) return t.skip('planting as another user needs root');
  await inTempDir(async (dir) => {
    await mkdir(join(dir, 'real', 'home'), { recursive: true, mode: 0o700 });
    await symlink(join(dir, 'real'), join(dir, 'via'));
    await ensurePrivateDirectory(join(dir, 'via', 'home', 'tokenloop'));
    assert.ok((await stat(join(dir, 'real', 'home', 'tokenloop'))).isDirectory());

    await plantAsOtherUser(join(dir, 'open'), 0o777);
    await mkdir(join(dir, 'open', 'home'), { mode: 0o700 });
    await symlink(join(dir, 'open', 'home'), join(dir, 'innocent'));
    await assert.rejects(
      checkPrivateDirectory(join(dir, 'innocent')),
      refused(join(dir, 'open'), /belongs to user 65534/),
    );

    const sticky = join(dir, 'tmp');
    await mkdir(sticky);
    await chmod(sticky, 0o1777);
    await symlink(join(dir, 'real', 'home'), join(sticky, 'planted'));
    await lchown(join(sticky, 'planted'), OTHER_UID, OTHER_UID);
    await assert.rejects(
      checkPrivateDirectory(join(sticky, 'planted')),
      refused(join(sticky, 'planted'), /symbolic link that belongs to user 65534/),
    );
  });
});

test('S80 a file where the private folder should be is refused as not a folder', async (t) => {
  if (!POSIX) return t.skip('POSIX');
  await inTempDir(async (dir) => {
    await writeFile(join(dir, 'home'), 'a file');
    await assert.rejects(
      ensurePrivateDirectory(join(dir, 'home', 'cache')),
      refused(join(dir, 'home'), /not a folder/),
    );
  });
});

test("S81 S82 readPrivateFile: a missing file is undefined; the user's own 0600 file is read; a secret at 0640 is refused", async (t) => {
  if (!POSIX) return t.skip('POSIX permissions');
  await inTempDir(async (dir) => {
    const path = join(dir, 'secret');
    assert.equal(await readPrivateFile(path, { secret: true }), undefined);
    await writeFile(path, 'content', { mode: 0o600 });
    assert.equal((await readPrivateFile(path, { secret: true }))?.data.toString(), 'content');
    await chmod(path, 0o640);
    assert.equal(
      (await readPrivateFile(path))?.data.toString(),
      'content',
      'readable by the group is fine for a non-secret',
    );
    await assert.rejects(readPrivateFile(path, { secret: true }), refused(path, /other users may read it/));
  });
});

test('S84 writePrivateFile refuses to replace a planted link or FIFO and never writes through it', async (t) => {
  if (!POSIX) return t.skip('POSIX links');
  await inTempDir(async (dir) => {
    const home = join(dir, 'home');
    const victim = join(dir, 'victim');
    await mkdir(home, { mode: 0o700 });
    await writeFile(victim, 'keep me');
    await symlink(victim, join(home, 'config.json'));
    await assert.rejects(
      writePrivateFile(join(home, 'config.json'), '{}'),
      refused(join(home, 'config.json'), /symbolic link/),
    );
    assert.equal(await readFile(victim, 'utf8'), 'keep me');
    assert.ok((await lstat(join(home, 'config.json'))).isSymbolicLink());
    makeFifo(join(home, 'passwords.json'));
    await assert.rejects(
      boundedWait(3_000, writePrivateFile(join(home, 'passwords.json'), '{}')),
      refused(join(home, 'passwords.json'), /not a regular file/),
    );
    await writePrivateFile(join(home, 'new', 'settings.json'), '{"a":1}');
    assert.equal((await stat(join(home, 'new', 'settings.json'))).mode & 0o777, 0o600);
    assert.equal((await stat(join(home, 'new'))).mode & 0o777, 0o700);
  });
});

test('S81 with no key yet, a cache file that belongs to another user is refused before any key is made for it', async (t) => {
  if (!POSIX || !AS_ROOT) return t.skip('planting as another user needs root');
  await inTempDir(async (dir) => {
    const path = join(dir, 'tokens.cache');
    await write(encryptedFileStore({ path, key: KEY }));
    await chown(path, OTHER_UID, OTHER_UID);
    const store = encryptedFileStore({ path, keyring: 'off' });
    await assert.rejects(write(store), refused(path, /belongs to user 65534/));
    await assert.rejects(lstat(`${path}.key`), /ENOENT/, 'no key file was made');
  });
});
