// Runs the real `tokenloop` binary (bin/tokenloop.js) as a child process with its own TOKENLOOP_HOME.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'tokenloop.js');
export const BROWSER_DRIVER = join(import.meta.dirname, 'browser-driver.mjs');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const made: string[] = [];
function removeMade(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
process.on('exit', removeMade);
// A test file stopped by a signal (the runner's timeout, Ctrl-C) runs no 'exit' handlers: clean up, then end
// by the same signal.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    removeMade();
    process.kill(process.pid, signal);
  });

/** A temporary folder removed when the test process exits, so that a run leaves nothing behind. */
export function tempDir(prefix = 'tl-cli-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A fresh home for one test: config, cache and data of the CLI live under it. */
export function freshHome(): string {
  return tempDir('tl-cli-home-');
}

/** The environment a run gets: no desktop, no proxy, no Azure variables, unless the test sets them. */
export function baseEnv(home: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TOKENLOOP_HOME: home };
  for (const k of Object.keys(env)) {
    if (
      /^(AZURE_|TOKENLOOP_(?!HOME)|SSH_|DISPLAY$|WAYLAND_DISPLAY$|BROWSER$|NO_COLOR$|https?_proxy$|HTTPS?_PROXY$|NO_PROXY$|no_proxy$)/.test(
        k,
      )
    )
      delete env[k];
  }
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** How long one CLI run may take before the test gives up on it (a hang fails the test in minutes, not at the
 * runner's 5-minute limit, and says which command hung). */
const RUN_LIMIT_MS = 120_000;

export function runCli(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      stderr += `\n[runCli: \`tokenloop ${args.join(' ')}\` still running after ${RUN_LIMIT_MS / 1000} s: killed]\n`;
      child.kill('SIGKILL');
    }, RUN_LIMIT_MS);
    // A command that exits before reading its input closes the pipe: EPIPE here is not the test's failure.
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
    // 'close', not 'exit': under load the last output can arrive after the process has exited.
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
