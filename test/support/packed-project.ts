// The packages as a user gets them: every workspace packed with `npm pack`, the tarballs installed into a new
// project in a temporary folder (their dependencies from the npm registry), on the Node that runs the test: npm
// and npx run on it too (it goes first on PATH). Needs the packages built (`npm run build`; `npm test` builds
// them first). `close()` removes everything.
import assert from 'node:assert/strict';
import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const PACKAGES = ['tokenloop', '@tokenloop/cli', '@tokenloop/emulator', '@tokenloop/web'] as const;
export const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

export interface Packed {
  name: string;
  version: string;
  filename: string;
  files: { path: string }[];
}

/** Environment of child processes: this test's Node first on PATH, npm quiet about audits and funding. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    // npm turns on Node's module compile cache (22.1+), by default in the temporary folder: not here.
    NODE_DISABLE_COMPILE_CACHE: '1',
    ...extra,
  };
}

export function run(
  command: string,
  args: string[],
  cwd: string,
  timeout = 240_000,
): SpawnSyncReturns<string> {
  const r = spawnSync(command, args, { cwd, env: childEnv(), encoding: 'utf8', timeout });
  if (r.error) throw r.error;
  return r;
}

/** The same, without blocking (so that several can run at once); stopped, and rejected, after `timeout` ms. */
export function runAsync(
  command: string,
  args: string[],
  cwd: string,
  timeout = 240_000,
): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish within ${timeout} ms:\n${output}`));
    }, timeout);
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

export function ok(r: SpawnSyncReturns<string>, what: string): string {
  assert.equal(r.status, 0, `${what} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

export interface PackedProject {
  /** The temporary folder (tarballs/, project/, anything else a test makes). */
  work: string;
  /** The user's project, with the tarballs installed. */
  dir: string;
  packed: Packed[];
  /** What npm printed while installing (its warnings go to stderr). */
  installOutput: string[];
  /** `npm install` more packages into the project. */
  install(args: string[]): void;
  close(): void;
}

/**
 * Pack every workspace package and install the tarballs (and @types/node, as a TypeScript user has), with `extra`
 * packages in the same `npm install`.
 */
export function packedProject(extra: string[] = []): PackedProject {
  for (const name of PACKAGES)
    assert.ok(existsSync(join(ROOT, 'node_modules', name, 'dist')), `${name} is built (npm run build)`);
  const work = mkdtempSync(join(tmpdir(), 'tokenloop-packaging-'));
  try {
    const tarballs = join(work, 'tarballs');
    mkdirSync(tarballs);
    const pack = run(
      'npm',
      ['pack', '--workspaces', '--ignore-scripts', '--json', '--pack-destination', tarballs],
      ROOT,
    );
    const packed = JSON.parse(ok(pack, 'npm pack')) as Packed[];
    const dir = join(work, 'project');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'packaging-check', private: true, type: 'module' }),
    );
    const installOutput: string[] = [];
    const install = (args: string[]) => {
      const r = run('npm', ['install', '--no-audit', '--no-fund', ...args], dir, 480_000);
      installOutput.push(r.stdout, r.stderr);
      ok(r, `npm install ${args.join(' ')}`);
    };
    install([...packed.map((p) => join(tarballs, p.filename)), `@types/node@^${NODE_MAJOR}`, ...extra]);
    return {
      work,
      dir,
      packed,
      installOutput,
      install,
      close: () => rmSync(work, { recursive: true, force: true }),
    };
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    throw err;
  }
}
