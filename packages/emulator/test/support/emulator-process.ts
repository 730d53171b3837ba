import { join } from 'node:path';
import type { EmulatorOptions } from '../../src/index.ts';
import { startIpcDriver } from './ipc-driver.ts';

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
const CALL_TIMEOUT_MS = 15_000;

/** What emulator-child.ts says: ready (with its URL), a line the emulator logged, the answer to a call. */
type ChildMessage =
  | { type: 'ready'; url: string }
  | { type: 'log'; line: string }
  | { type: 'reply'; id: number; result: unknown };

/** Starts the emulator in a child process; `log` is always captured (see {@link EmulatorProcess.logs}). */
export async function startEmulatorProcess(
  options: Omit<EmulatorOptions, 'log'> = {},
): Promise<EmulatorProcess> {
  const logs: string[] = [];
  const driver = await startIpcDriver<undefined, ChildMessage>({
    name: 'emulator process',
    script: CHILD,
    execArgv: ['--expose-gc', '--import', 'tsx'],
    env: { ...process.env, TOKENLOOP_EMULATOR_OPTIONS: JSON.stringify(options) },
    goodbye: (child) => child.disconnect(),
    onMessage(m, calls) {
      if (m.type === 'log') logs.push(m.line);
      else if (m.type === 'reply') calls.resolve(m.id, m.result);
    },
  });
  const call = <T>(op: 'memory' | 'sweep', extra: object = {}) =>
    driver.call<T>({ op, ...extra }, undefined, CALL_TIMEOUT_MS);
  return {
    url: driver.ready.type === 'ready' ? driver.ready.url : '',
    pid: driver.pid,
    logs,
    stderr: driver.stderr,
    exited: driver.exited,
    memory: () => call<ChildMemory>('memory'),
    sweep: (at) => call<Record<string, number>>('sweep', at === undefined ? {} : { at }),
    close: driver.close,
  };
}
