// Runs `tokenloop mail proxy` as a child process on ephemeral loopback ports and reads the ports it announces.
import { type ChildProcess, spawn } from 'node:child_process';
import { BIN } from './cli.js';

export interface RunningProxy {
  /** The proxy's process id (for /proc/PID/status). */
  pid: number;
  ports: Partial<Record<'imap' | 'pop3' | 'smtp', number>>;
  /** Everything the proxy wrote to stderr so far (its log). */
  log(): string;
  stop(): Promise<number | null>;
}

/** `prefix` runs the proxy through another program, e.g. `ip netns exec NS` (which execs it: same pid). */
export async function startProxy(
  args: string[],
  env: NodeJS.ProcessEnv,
  prefix: string[] = [],
): Promise<RunningProxy> {
  const argv = [...prefix, process.execPath, BIN, 'mail', 'proxy', ...args];
  const child: ChildProcess = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const ports: RunningProxy['ports'] = {};
  const wanted = args.filter((a) => /^--(imap|pop3|smtp)$/.test(a)).length;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mail proxy did not start:\n${stderr}`)), 15_000);
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      for (const m of stderr.matchAll(/mail proxy: (imap|pop3|smtp) on 127\.0\.0\.1:(\d+)/g))
        ports[m[1] as 'imap'] = Number(m[2]);
      if (Object.keys(ports).length === wanted && /local password/.test(stderr)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mail proxy exited with ${code}:\n${stderr}`));
    });
  });
  return {
    pid: child.pid!,
    ports,
    log: () => stderr,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}
