// Runs a command line (a bin of this repository) in a child of this Node without blocking this process, which
// may be serving the emulator the command talks to: what the benches that drive `tokenloop` share.
import { spawn } from 'node:child_process';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node <bin> <args…>` with `env`; the output is read until the child's streams close. */
export function runCli(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Like runCli, but a command that fails throws with its standard error (for the benches' set-up steps). */
export async function runCliOk(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const r = await runCli(bin, args, env);
  if (r.status !== 0) throw new Error(`tokenloop ${args[0]} failed: ${r.stderr}`);
  return r;
}
