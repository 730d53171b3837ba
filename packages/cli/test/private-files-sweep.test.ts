// S80–S84 swept over every private file the packages keep for the user: the token cache, its key and its lock
// (the library's file store, at the CLI's path), the CLI's profiles and the mail proxy's passwords. Each is
// planted as another user's file, a file others may write to, a symbolic link, a FIFO, or in a folder another
// user controls, and every operation the packages do on it must be refused at once with a fix, leaving the
// planted thing exactly as it was. "Another user" is uid 65534, planted with chown by this (root) process, so
// no child process needs to reach this checkout.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmod,
  chown,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { encryptedFileStore } from 'tokenloop/client';
import {
  boundedWait,
  makeFifo,
  OTHER_UID,
  plantAsOtherUser,
  unblockFifo,
} from '../../tokenloop/test/stores/file-trust-plant.js';
import { makeRecord } from '../../tokenloop/test/stores/fixtures.js';
import { cachePath } from '../src/client/make-client.js';
import { cliPaths } from '../src/config/paths.js';
import { readProfiles, writeProfiles } from '../src/config/profiles.js';
import {
  localPasswordChecker,
  passwordFilePath,
  removeLocalPassword,
  setLocalPassword,
} from '../src/commands/mail/proxy/local-passwords.js';
import { BIN, baseEnv, runCli, tempDir } from './support/cli.js';

const POSIX = process.platform !== 'win32';
const AS_ROOT = process.getuid?.() === 0;
const USER = 'alice@example.test';
const PASSWORD = 'correct-horse-battery';

/** The CLI's token cache, as the CLI opens it (the key file instead of a keyring: no desktop here). */
const storeOf = (home: string) =>
  encryptedFileStore({
    path: cachePath(cliPaths({ TOKENLOOP_HOME: home })),
    keyring: 'off',
    lockTimeoutMs: 1_000,
  });

const writeRecord = (home: string) =>
  storeOf(home).transact('acct', async () => ({ next: makeRecord('acct'), result: undefined }));

interface PrivateFile {
  name: string;
  /** S82: it holds a secret, so nobody else may even read it. */
  secret?: boolean;
  file: (home: string) => string;
  /** Make a valid one, as the packages do. */
  seed: (home: string) => Promise<void>;
  /** What the packages do with it: every one must be refused when the file or its folder is not safe. */
  uses: Record<string, (home: string) => Promise<unknown>>;
}

const cacheFile = (home: string) => cachePath(cliPaths({ TOKENLOOP_HOME: home }));

const FILES: PrivateFile[] = [
  {
    name: 'the token cache',
    file: cacheFile,
    seed: writeRecord,
    uses: { 'list accounts': (home) => storeOf(home).list(), 'write a sign-in': writeRecord },
  },
  {
    name: 'the token cache key',
    secret: true,
    file: (home) => `${cacheFile(home)}.key`,
    seed: writeRecord,
    uses: { 'find the key': (home) => storeOf(home).keySource(), 'write a sign-in': writeRecord },
  },
  {
    name: 'the token cache lock',
    file: (home) => `${cacheFile(home)}.lock`,
    seed: async (home) => {
      await writeRecord(home);
      const owner = { pid: 2 ** 22 + 7, hostname: 'elsewhere', createdAt: 0, token: 'left-behind' };
      await writeFile(`${cacheFile(home)}.lock`, JSON.stringify(owner), { mode: 0o600 });
    },
    uses: { 'write a sign-in': writeRecord },
  },
  {
    name: 'the CLI profiles',
    file: (home) => join(home, 'config.json'),
    seed: (home) =>
      writeProfiles(home, {
        version: 1,
        current: 'p',
        profiles: { p: { authority: 'https://login.example.test/t', clientId: 'c' } },
      }),
    uses: {
      'read the profiles': (home) => readProfiles(home),
      'add a profile': async (home) => {
        const file = await readProfiles(home);
        file.profiles.q = { issuer: 'https://id.example.test', clientId: 'd' };
        await writeProfiles(home, file);
      },
    },
  },
  {
    name: 'the mail proxy passwords',
    secret: true,
    file: (home) => passwordFilePath(home),
    seed: (home) => setLocalPassword(home, USER, PASSWORD),
    uses: {
      'check a mail login': (home) => localPasswordChecker(home)(USER, PASSWORD),
      'set a password': (home) => setLocalPassword(home, USER, `${PASSWORD}-2`),
      'remove a password': (home) => removeLocalPassword(home, USER),
    },
  },
];

interface Plant {
  /** The requirement the refusal proves. */
  id: 'S80' | 'S81' | 'S82' | 'S83';
  name: string;
  needsRoot?: boolean;
  /** Only files that hold a secret must refuse it. */
  secretsOnly?: boolean;
  /** Turn the valid seeded `file` (in its folder, under `root/shared/home`) into the unsafe thing. */
  apply: (file: string, root: string) => Promise<void>;
  reason: RegExp;
  /** The path the refusal must name. */
  names: (file: string, root: string) => string;
}

const PLANTS: Plant[] = [
  {
    id: 'S81',
    name: 'belongs to another user',
    needsRoot: true,
    apply: (file) => chown(file, OTHER_UID, OTHER_UID),
    reason: /belongs to user 65534/,
    names: (file) => file,
  },
  {
    id: 'S81',
    name: 'its group may write to it',
    apply: (file) => chmod(file, 0o620),
    reason: /other users may write to it/,
    names: (file) => file,
  },
  {
    id: 'S81',
    name: 'everyone may write to it',
    apply: (file) => chmod(file, 0o666),
    reason: /other users may write to it/,
    names: (file) => file,
  },
  {
    id: 'S82',
    name: 'others may read it (0644)',
    secretsOnly: true,
    apply: (file) => chmod(file, 0o644),
    reason: /other users may read it/,
    names: (file) => file,
  },
  {
    id: 'S81',
    name: 'is a symbolic link to a valid copy elsewhere',
    apply: async (file, root) => {
      const copy = join(root, 'decoy', relative(root, file).replaceAll('/', '_'));
      await mkdir(dirname(copy), { recursive: true, mode: 0o700 });
      await rename(file, copy);
      await symlink(copy, file);
    },
    reason: /symbolic link/,
    names: (file) => file,
  },
  {
    id: 'S83',
    name: 'is a FIFO',
    apply: async (file) => {
      await rm(file);
      makeFifo(file);
    },
    reason: /not a regular file/,
    names: (file) => file,
  },
  {
    id: 'S80',
    name: 'its folder belongs to another user, who may write to it',
    needsRoot: true,
    apply: (file) => plantAsOtherUser(dirname(file), 0o777),
    reason: /belongs to user 65534/,
    names: (file) => dirname(file),
  },
  {
    id: 'S80',
    name: 'its folder is writable by everyone (sticky, like /tmp)',
    apply: (file) => chmod(dirname(file), 0o1777),
    reason: /other users may write to it/,
    names: (file) => dirname(file),
  },
  {
    id: 'S80',
    name: 'a parent folder belongs to another user, who may write to it',
    needsRoot: true,
    apply: (_file, root) => plantAsOtherUser(join(root, 'shared'), 0o777),
    reason: /belongs to user 65534/,
    names: (_file, root) => join(root, 'shared'),
  },
];

/** Everything on disk under `root` (never following links): kind, owner, mode, content. */
async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const path = join(dir, name);
      const st = await lstat(path);
      const kind = st.isDirectory()
        ? 'dir'
        : st.isSymbolicLink()
          ? `link->${await readlink(path)}`
          : st.isFIFO()
            ? 'fifo'
            : `file ${createHash('sha256')
                .update(await readFile(path))
                .digest('hex')}`;
      out[relative(root, path)] = `${kind} uid=${st.uid} mode=${(st.mode & 0o7777).toString(8)}`;
      if (st.isDirectory()) await walk(path);
    }
  };
  await walk(root);
  return out;
}

async function fifosUnder(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const path = join(dir, name);
      const st = await lstat(path);
      if (st.isFIFO()) found.push(path);
      else if (st.isDirectory()) await walk(path);
    }
  };
  await walk(root);
  return found;
}

describe('S80 S81 S82 S83 every private file of every package, planted unsafe, is refused and left untouched', () => {
  for (const target of FILES) {
    for (const plant of PLANTS.filter((p) => !p.secretsOnly || target.secret)) {
      it(`${plant.id} ${target.name}: ${plant.name}`, async (t) => {
        if (!POSIX) return t.skip('POSIX ownership and modes');
        if (plant.needsRoot && !AS_ROOT) return t.skip('planting as another user needs root');
        const root = tempDir('tl-private-files-');
        const home = join(root, 'shared', 'home');
        try {
          await mkdir(home, { recursive: true, mode: 0o700 });
          await target.seed(home);
          const file = target.file(home);
          await plant.apply(file, root);
          const before = await snapshot(root);
          for (const [use, run] of Object.entries(target.uses)) {
            await assert.rejects(boundedWait(5_000, run(home)), (err: unknown) => {
              const e = err as { code?: string; message?: string; remediation?: string };
              assert.equal(e.code, 'UNSAFE_FILE', `${use}: ${String(err)}`);
              assert.ok(e.message?.includes(plant.names(file, root)), `${use}: names the path: ${e.message}`);
              assert.match(e.message ?? '', plant.reason, use);
              assert.ok((e.remediation ?? '').length > 0, `${use}: says how to fix it`);
              return true;
            });
            assert.deepEqual(await snapshot(root), before, `${use}: nothing on disk changed`);
          }
        } finally {
          for (const fifo of await fifosUnder(root)) await unblockFifo(fifo);
          await rm(root, { recursive: true, force: true });
        }
      });
    }
  }
});

/** The CLI's fix line ("Run: <command>") run by the shell, as a user would. */
function runFix(stderr: string): void {
  const command = /^ {2}fix: .*Run: (.+)$/m.exec(stderr)?.[1];
  assert.ok(command, `a fix to run: ${stderr}`);
  execFileSync('sh', ['-c', command]);
}

function assertRefusal(run: { code: number | null; stderr: string }, path: string): void {
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /^tokenloop: refusing to use /m);
  assert.ok(run.stderr.includes(path), run.stderr);
  assert.doesNotMatch(run.stderr, /^\s+at /m, 'no stack trace');
}

describe('S80–S82 the CLI refuses unsafe private files with one clear line and a fix that works', () => {
  it('S80 TOKENLOOP_HOME that everyone may write to: refused with `chmod go-w`, which fixes it', async (t) => {
    if (!POSIX) return t.skip('POSIX modes');
    const home = tempDir('tl-private-home-');
    await chmod(home, 0o777);
    const env = baseEnv(home);
    assertRefusal(await runCli(['profile', 'list'], env), home);
    const refused = await runCli(['mail', 'password', USER, '--stdin'], env, PASSWORD);
    assertRefusal(refused, home);
    await assert.rejects(lstat(passwordFilePath(home)), /ENOENT/, 'no password was stored');
    runFix(refused.stderr);
    assert.equal((await runCli(['mail', 'password', USER, '--stdin'], env, PASSWORD)).code, 0);
  });

  it("S80 TOKENLOOP_HOME inside another user's writable folder: refused, nothing stored in it, and the fix works", async (t) => {
    if (!POSIX || !AS_ROOT) return t.skip('planting as another user needs root');
    const root = tempDir('tl-private-shared-');
    const shared = join(root, 'shared');
    await plantAsOtherUser(shared, 0o777);
    const home = join(shared, 'home');
    await mkdir(home, { mode: 0o700 });
    const env = baseEnv(home);
    assertRefusal(await runCli(['mail', 'password', USER, '--stdin'], env, PASSWORD), shared);
    assertRefusal(
      await runCli(
        ['profile', 'add', 'p', '--authority', 'https://login.example.test/t', '--client-id', 'c'],
        env,
      ),
      shared,
    );
    assert.deepEqual(await readdir(home), []);
    const refused = await runCli(['profile', 'list'], env);
    assertRefusal(refused, shared);
    runFix(refused.stderr); // take the folder over and close it to others
    assert.equal((await runCli(['mail', 'password', USER, '--stdin'], env, PASSWORD)).code, 0);
  });

  it('S82 a mail proxy password file others may read: refused with `chmod 600`, which fixes it', async (t) => {
    if (!POSIX) return t.skip('POSIX modes');
    const home = tempDir('tl-private-home-');
    const env = baseEnv(home);
    assert.equal((await runCli(['mail', 'password', USER, '--stdin'], env, PASSWORD)).code, 0);
    await chmod(passwordFilePath(home), 0o644);
    const refused = await runCli(['mail', 'password', USER, '--stdin'], env, `${PASSWORD}-2`);
    assertRefusal(refused, passwordFilePath(home));
    runFix(refused.stderr);
    assert.equal((await runCli(['mail', 'password', USER, '--stdin'], env, `${PASSWORD}-2`)).code, 0);
  });

  it('S83 a FIFO planted as the profiles: refused at once, and the fix (move it away) works', async (t) => {
    if (!POSIX) return t.skip('FIFOs are POSIX');
    const home = tempDir('tl-private-home-');
    const env = baseEnv(home);
    makeFifo(join(home, 'config.json'));
    try {
      const refused = await boundedWait(10_000, runCli(['profile', 'list'], env));
      assertRefusal(refused, join(home, 'config.json'));
      runFix(refused.stderr);
      assert.equal((await runCli(['profile', 'list'], env)).code, 0);
    } finally {
      await unblockFifo(join(home, 'config.json'));
    }
  });

  it("S80 the emulator's data folder is checked before the emulator gets it", async (t) => {
    if (!POSIX || !AS_ROOT) return t.skip('planting as another user needs root');
    const root = tempDir('tl-private-emulator-');
    const dataDir = join(root, 'data');
    await plantAsOtherUser(dataDir, 0o777);
    const child = spawn(process.execPath, [BIN, 'emulator', '--port', '0', '--json', '--data-dir', dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await boundedWait(
      15_000,
      new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c))),
    ).catch((err: unknown) => {
      child.kill('SIGKILL');
      throw err;
    });
    assertRefusal({ code, stderr }, dataDir);
    assert.deepEqual(await readdir(dataDir), [], 'no key or CA was written to it');
  });
});

describe('S84 private files are written only through the one atomic writer', () => {
  it('S84 writing the profiles never follows a link planted at a temporary name (the old `<file>.<pid>.tmp`)', async (t) => {
    if (!POSIX) return t.skip('POSIX links');
    const root = tempDir('tl-private-tmp-');
    const home = join(root, 'home');
    const victim = join(root, 'bashrc');
    await mkdir(home, { mode: 0o700 });
    await writeFile(victim, 'echo hello\n', { mode: 0o644 });
    await symlink(victim, join(home, `config.json.${process.pid}.tmp`));
    await writeProfiles(home, {
      version: 1,
      profiles: { p: { issuer: 'https://id.example.test', clientId: 'c' } },
    });
    assert.equal(await readFile(victim, 'utf8'), 'echo hello\n', 'the link target is untouched');
    assert.equal(((await lstat(victim)).mode & 0o777).toString(8), '644');
    const written = await lstat(join(home, 'config.json'));
    assert.ok(written.isFile());
    assert.equal((written.mode & 0o777).toString(8), '600');
    assert.equal((await readProfiles(home)).profiles.p?.clientId, 'c');
  });
});
