import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ChildServer {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts a server script (bench/servers/*.ts) in its own Node process, so the load generator never shares
 * its event loop or its thread pool; resolves with the URL the script prints as `READY <url>`.
 */
export function startChildServer(script: string, env: Record<string, string> = {}): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Never leave a server behind, whatever happens to the bench.
  const kill = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', kill);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => {
      const m = /^READY (\S+)$/.exec(line);
      if (!m) {
        child.kill('SIGKILL');
        reject(new Error(`${script}: unexpected first line ${JSON.stringify(line.slice(0, 200))}`));
        return;
      }
      resolve({
        url: m[1]!,
        child,
        stop: async () => {
          process.off('exit', kill);
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
  });
}
