import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { EmulatorOptions } from '../../src/index.ts';

/** Memory figures of the emulator process, taken after two garbage collections (when `gcExposed`). */
export interface ChildMemory extends NodeJS.MemoryUsage {
  gcExposed: boolean;
}

/** An emulator running in a child process (`--expose-gc`), reached over loopback HTTP and IPC. */
export interface EmulatorProcess {
  url: string;
  pid: number;
  /** Everything the emulator passed to its `log` option (internal errors only). */
  logs: string[];
  /** What the child wrote to stderr (a crash's stack trace ends up here). */
  stderr(): string;
  /** Why the process ended, if it already has: `exit code N` or `signal S`. */
  exited(): string | undefined;
  memory(): Promise<ChildMemory>;
  /** `RunningEmulator.sweep(at)` in the child: drops expired entries, returns the stores' sizes. */
  sweep(at?: number): Promise<Record<string, number>>;
  close(): Promise<void>;
}

const CHILD = join(import.meta.dirname, 'emulator-child.ts');
const START_TIMEOUT_MS = 30_000;
const CALL_TIMEOUT_MS = 15_000;

/** Starts the emulator in a child process; `log` is always captured (see {@link EmulatorProcess.logs}). */
export async function startEmulatorProcess(
  options: Omit<EmulatorOptions, 'log'> = {},
): Promise<EmulatorProcess> {
  const child: ChildProcess = fork(CHILD, [], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    env: { ...process.env, TOKENLOOP_EMULATOR_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const logs: string[] = [];
  let stderr = '';
  let exitReason: string | undefined;
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 100_000) stderr += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitReason = signal ? `signal ${signal}` : `exit code ${code}`;
      for (const p of pending.values()) p.reject(new Error(`emulator process ended (${exitReason})`));
      pending.clear();
      resolve();
    });
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`emulator process did not start within ${START_TIMEOUT_MS} ms: ${stderr}`));
    }, START_TIMEOUT_MS);
    child.on('message', (m: { type: string; url?: string; line?: string; id?: number; result?: unknown }) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        resolve(m.url!);
      } else if (m.type === 'log') logs.push(m.line!);
      else if (m.type === 'reply') {
        pending.get(m.id!)?.resolve(m.result);
        pending.delete(m.id!);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`emulator process ended before it was ready (${exitReason}): ${stderr}`));
    });
  });

  function call<T>(op: string, extra: object = {}): Promise<T> {
    if (exitReason) return Promise.reject(new Error(`emulator process ended (${exitReason})`));
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`emulator process did not answer '${op}' within ${CALL_TIMEOUT_MS} ms`));
      }, CALL_TIMEOUT_MS);
      pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      child.send({ id, op, ...extra });
    });
  }

  return {
    url,
    pid: child.pid!,
    logs,
    stderr: () => stderr,
    exited: () => exitReason,
    memory: () => call<ChildMemory>('memory'),
    sweep: (at) => call<Record<string, number>>('sweep', at === undefined ? {} : { at }),
    close: async () => {
      if (exitReason) return;
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
