// Shared helpers of the store tests: sample records, temporary directories, child processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccountRecord } from '../../src/model/account-record.js';

/** Recognisable fake secrets: tests assert they never appear on disk or in Redis in the clear. */
export const REFRESH_SECRET = 'rt-PLAINTEXT-MARKER-0123456789';
export const ACCESS_SECRET = 'at-PLAINTEXT-MARKER-9876543210';

/** A valid record under `key`; `counter` is kept in `account.name` for the increment tests. */
export function makeRecord(key: string, counter = 0): AccountRecord {
  return {
    v: 1,
    key,
    clientId: 'client-1',
    authority: 'https://login.example.test/tenant',
    account: {
      homeAccountId: key,
      environment: 'login.example.test',
      issuer: 'https://login.example.test/tenant/v2.0',
      localAccountId: 'local-1',
      name: String(counter),
    },
    refreshToken: {
      secret: REFRESH_SECRET,
      obtainedAt: 1_700_000_000_000,
      scopes: ['openid', 'offline_access'],
    },
    accessTokens: [
      {
        secret: ACCESS_SECRET,
        tokenType: 'bearer',
        resource: 'https://graph.example.test',
        scopes: ['user.read'],
        obtainedAt: 1_700_000_000_000,
        expiresAt: 1_700_000_360_000,
      },
    ],
    updatedAt: 1_700_000_000_000,
  };
}

/** The counter kept by `makeRecord` (0 when there is no record). */
export function counterOf(record: AccountRecord | undefined): number {
  return record ? Number(record.account.name) : 0;
}

/** Increment the counter of `key` in a `transact` callback. */
export async function increment(current: AccountRecord | undefined, key: string) {
  const next = makeRecord(key, counterOf(current) + 1);
  return { next, result: counterOf(next) };
}

/** A fresh temporary directory, removed by the returned cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'tokenloop-store-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs `fn` in a fresh temporary folder, removed afterwards whatever happens (a test leaves nothing behind). */
export async function inTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const { dir, cleanup } = await tempDir();
  try {
    return await fn(dir);
  } finally {
    await cleanup();
  }
}

const CHILDREN = join(import.meta.dirname, 'children');

export interface Child {
  process: ChildProcess;
  /** Everything the child printed on stdout so far. */
  output(): string;
  /** Resolves when stdout contains `text`. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  /** Exit code (or the signal's name) once the child ended. */
  exited: Promise<number | string>;
}

/** Run `children/<script>.ts` under `node --import tsx` with `args`. */
export function runChild(script: string, args: string[], options: { obeyPermissions?: boolean } = {}): Child {
  const command = [process.execPath, '--import', 'tsx', join(CHILDREN, `${script}.ts`), ...args];
  // Root ignores file permissions. To see them enforced, the child stays root (so it reaches the checkout
  // wherever it lies, a 0700 folder too) but runs without the capabilities that override them.
  const argv =
    options.obeyPermissions && process.getuid?.() === 0
      ? ['setpriv', '--bounding-set=-dac_override,-dac_read_search', '--inh-caps=-all', ...command]
      : command;
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | string>(
    (resolve) => child.on('close', (code, signal) => resolve(code ?? signal ?? 'unknown')), // after the last output
  );
  return {
    process: child,
    output: () => out,
    waitFor: async (text, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!out.includes(text)) {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`child ${script} ended before printing "${text}": ${err.slice(-500)}`);
        }
        if (Date.now() > deadline) throw new Error(`child ${script} did not print "${text}" in time`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    exited: exited.then((status) => {
      if (status !== 0 && status !== 'SIGKILL')
        process.stderr.write(`child ${script} failed:\n${err.slice(-1000)}\n`);
      return status;
    }),
  };
}
