/**
 * `node ARGS` as the token path tests run it (token-fast-path, token-agent): read until its streams close,
 * killed after a bound; and how a run may appear in a failure message (stdout carries tokens).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';

export const RUN_LIMIT_MS = 60_000;

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node ARGS` (with `env`, else this process's; in `cwd`), read until its streams close, bounded. */
export function runNode(
  args: string[],
  label: string,
  o: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      env: o.env ?? process.env,
      cwd: o.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      stderr += `\n[${label}: still running after ${RUN_LIMIT_MS / 1000} s: killed]\n`;
      child.kill('SIGKILL');
    }, RUN_LIMIT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A run as a failure message may show it: stdout carries tokens, so only its length and hash. */
export function shown(r: Run): string {
  const hash = createHash('sha256').update(r.stdout).digest('hex').slice(0, 12);
  return `exit ${r.code}, stdout ${r.stdout.length} bytes (sha256 ${hash}), stderr: ${JSON.stringify(r.stderr)}`;
}
