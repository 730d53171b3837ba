// S125: the synchronous private-file reader and folder checks (for the CLI's `token` fast path) run the very
// steps of the asynchronous ones, so they accept and refuse exactly the same things with the same message and
// fix; and the file store's synchronous snapshot serves exactly what the store serves, or nothing where only the
// store may act (quarantine, repair, the OS keyring) — without changing anything on disk.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  chmod,
  chown,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { cacheKey, sealEnvelope } from '../../src/cache/stores/encryption.js';
import { encryptedFileStore } from '../../src/cache/stores/encrypted-file-store.js';
import { encryptedFileSnapshot } from '../../src/cache/stores/file-snapshot.js';
import {
  checkPrivateDirectory,
  checkPrivateDirectorySync,
  ensurePrivateDirectory,
  ensurePrivateDirectorySync,
} from '../../src/private-files/private-directory.js';
import { readPrivateFile, readPrivateFileSync } from '../../src/private-files/read-private-file.js';
import { makeFifo, OTHER_UID, plantAsOtherUser, unblockFifo } from './file-trust-plant.js';
import { makeRecord, tempDir, inTempDir } from './fixtures.js';

const POSIX = process.platform !== 'win32';
const AS_ROOT = process.getuid?.() === 0;

/** What a call did: its value, or its error's code, message and fix. */
async function outcome(run: () => unknown): Promise<unknown> {
  try {
    const value = (await run()) as { data?: Buffer; stat?: { ino: bigint; mode: bigint } } | undefined;
    return value && 'data' in value
      ? { data: value.data?.toString('utf8'), ino: value.stat?.ino, mode: value.stat?.mode }
      : { value };
  } catch (err) {
    const e = err as { code?: string; message?: string; remediation?: string };
    return { code: e.code, message: e.message, remediation: e.remediation };
  }
}

interface Plant {
  name: string;
  root?: boolean;
  /** Prepare `dir/sub/file` (dir exists, 0700). */
  apply: (file: string, dir: string) => Promise<void>;
}

const seed = async (file: string) => {
  await mkdir(join(file, '..'), { recursive: true, mode: 0o700 });
  await writeFile(file, 'content', { mode: 0o600 });
};

const PLANTS: Plant[] = [
  { name: 'a private file', apply: seed },
  { name: 'no file', apply: (file) => mkdir(join(file, '..'), { mode: 0o700 }).then(() => undefined) },
  { name: 'no folder', apply: async () => {} },
  { name: 'others may write to it', apply: async (f) => (await seed(f), chmod(f, 0o666)) },
  { name: 'others may read it', apply: async (f) => (await seed(f), chmod(f, 0o644)) },
  {
    name: 'a symbolic link to a private file',
    apply: async (f, dir) => {
      await seed(join(dir, 'elsewhere', 'file'));
      await mkdir(join(f, '..'), { mode: 0o700 });
      await symlink(join(dir, 'elsewhere', 'file'), f);
    },
  },
  {
    name: 'a FIFO',
    apply: async (f) => {
      await mkdir(join(f, '..'), { mode: 0o700 });
      makeFifo(f);
    },
  },
  { name: 'a folder', apply: (f) => mkdir(f, { recursive: true, mode: 0o700 }).then(() => undefined) },
  { name: 'its folder others may write', apply: async (f) => (await seed(f), chmod(join(f, '..'), 0o777)) },
  {
    name: 'its folder is sticky and others may write',
    apply: async (f) => (await seed(f), chmod(join(f, '..'), 0o1777)),
  },
  {
    name: 'its folder is a link to a private folder',
    apply: async (f, dir) => {
      await seed(join(dir, 'real', 'file'));
      await symlink(join(dir, 'real'), join(f, '..'));
    },
  },
  {
    name: "another user's file",
    root: true,
    apply: async (f) => (await seed(f), chown(f, OTHER_UID, OTHER_UID)),
  },
  {
    name: 'a folder above belongs to another user, who may write to it',
    root: true,
    apply: async (f, dir) => {
      await seed(f);
      await plantAsOtherUser(dir, 0o777);
    },
  },
];

test('S125 readPrivateFileSync and the folder checks accept and refuse exactly what the asynchronous ones do', async (t) => {
  if (!POSIX) return t.skip('POSIX ownership and modes');
  const { dir: base, cleanup } = await tempDir();
  try {
    let checked = 0;
    for (const plant of PLANTS) {
      if (plant.root && !AS_ROOT) continue;
      const dir = join(base, `case-${checked++}`, 'shared');
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const file = join(dir, 'sub', 'file');
      await plant.apply(file, dir);
      try {
        for (const secret of [false, true]) {
          const options = { secret };
          assert.deepEqual(
            await outcome(() => readPrivateFileSync(file, options)),
            await outcome(() => readPrivateFile(file, options)),
            `${plant.name} (secret: ${secret}): the same answer`,
          );
        }
        assert.deepEqual(
          await outcome(() => checkPrivateDirectorySync(join(dir, 'sub'))),
          await outcome(() => checkPrivateDirectory(join(dir, 'sub'))),
          `${plant.name}: the same folder check`,
        );
      } finally {
        await unblockFifo(file);
      }
    }
    assert.ok(checked >= 11, `every plant ran (${checked})`);
  } finally {
    await cleanup();
  }
});

test('S125 ensurePrivateDirectorySync makes the same 0700 folders as ensurePrivateDirectory, and refuses alike', async (t) => {
  if (!POSIX) return t.skip('POSIX modes');
  await inTempDir(async (dir) => {
    await ensurePrivateDirectory(join(dir, 'async', 'a', 'b'));
    ensurePrivateDirectorySync(join(dir, 'sync', 'a', 'b'));
    for (const sub of ['', 'a', join('a', 'b')])
      assert.equal(
        (await lstat(join(dir, 'sync', sub))).mode & 0o7777,
        (await lstat(join(dir, 'async', sub))).mode & 0o7777,
        `the mode of ${sub || 'the first folder made'}`,
      );
    assert.equal((await lstat(join(dir, 'sync', 'a', 'b'))).mode & 0o7777, 0o700);
    await chmod(join(dir, 'sync'), 0o777);
    await chmod(join(dir, 'async'), 0o777);
    const refusal = (await outcome(() => ensurePrivateDirectory(join(dir, 'async', 'c')))) as {
      message: string;
    };
    assert.deepEqual(
      await outcome(() => ensurePrivateDirectorySync(join(dir, 'sync', 'c'))),
      JSON.parse(JSON.stringify(refusal).replaceAll(join(dir, 'async'), join(dir, 'sync'))),
    );
    assert.deepEqual(await readdir(join(dir, 'sync')), ['a'], 'nothing made in a refused folder');
  });
});

/** Everything under `root`: kind, mode and content, to prove that reading changed nothing. */
async function disk(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(root, { recursive: true })).sort()) {
    const path = join(root, name);
    const st = await lstat(path);
    const what = st.isSymbolicLink()
      ? `link ${await readlink(path)}`
      : st.isFile()
        ? createHash('sha256')
            .update(await readFile(path))
            .digest('hex')
        : 'dir';
    out[relative(root, path)] = `${(st.mode & 0o7777).toString(8)} ${what}`;
  }
  return out;
}

test('S125 the store snapshot serves what the store serves, or nothing where only the store may act; it writes nothing', async (t) => {
  if (!POSIX) return t.skip('POSIX modes');
  await inTempDir(async (dir) => {
    const path = join(dir, 'cache', 'tokens.cache');
    const store = () => encryptedFileStore({ path, keyring: 'off' });
    assert.equal(encryptedFileSnapshot({ path }), undefined, 'no cache file: the store answers');
    await store().transact('a', async () => ({ next: makeRecord('a', 1), result: undefined }));
    await store().transact('b', async () => ({ next: makeRecord('b', 2), result: undefined }));

    const before = await disk(dir);
    const snapshot = encryptedFileSnapshot({ path });
    assert.ok(snapshot, 'a sound cache with its key file is served');
    assert.deepEqual(await snapshot.list(), await store().list());
    assert.deepEqual(await snapshot.get('b'), await store().get('b'));
    assert.equal(await snapshot.get('c'), undefined);
    await assert.rejects(
      snapshot.transact('a', async () => ({ result: undefined })),
      /read-only/,
      'renewing is left to the store',
    );
    assert.deepEqual(await disk(dir), before, 'reading changed nothing on disk');

    const sealed = await readFile(path);
    const keyFile = `${path}.key`;
    const key = await readFile(keyFile);
    const situations: { name: string; make: () => Promise<void>; refused?: RegExp }[] = [
      { name: 'no key file (the key is in the OS keyring)', make: () => rm(keyFile) },
      {
        name: 'a damaged record beside a sound one (the store repairs it)',
        make: async () => {
          const sealing = cacheKey(Buffer.from(key.toString('utf8').trim(), 'base64'));
          const doc = { schema: 1, records: { a: makeRecord('a', 1), damaged: { v: 1 } } };
          await writeFile(path, sealEnvelope(Buffer.from(JSON.stringify(doc)), sealing), { mode: 0o600 });
        },
      },
      {
        name: 'a damaged file (the store quarantines it)',
        make: () => writeFile(path, 'garbage', { mode: 0o600 }),
      },
      {
        name: 'another key (the store quarantines it)',
        make: () => writeFile(keyFile, `${Buffer.alloc(32, 9).toString('base64')}\n`, { mode: 0o600 }),
      },
      { name: 'a cache others may write', make: () => chmod(path, 0o666), refused: /other users may write/ },
      { name: 'a key others may read', make: () => chmod(keyFile, 0o644), refused: /other users may read/ },
    ];
    for (const s of situations) {
      await writeFile(path, sealed, { mode: 0o600 });
      await chmod(path, 0o600);
      await writeFile(keyFile, key, { mode: 0o600 });
      await chmod(keyFile, 0o600);
      await s.make();
      const state = await disk(dir);
      if (s.refused) {
        assert.throws(() => encryptedFileSnapshot({ path }), s.refused, s.name);
        await assert.rejects(store().list(), s.refused, `${s.name}: the store refuses alike`);
      } else assert.equal(encryptedFileSnapshot({ path }), undefined, s.name);
      assert.deepEqual(await disk(dir), state, `${s.name}: the snapshot changed nothing on disk`);
    }
  });
});
