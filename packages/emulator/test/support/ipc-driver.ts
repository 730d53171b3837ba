/**
 * The parent side the test children share (msal/harness.ts, azure-identity/harness.ts, emulator-process.ts): forks a driver script
 * with an IPC channel, keeps its stderr, waits (bounded) for its `ready` message, numbers the calls and settles
 * each by its id or at its time limit, and fails every call in flight when the child ends. What a driver says
 * besides `ready` is handed to `onMessage`, which settles calls through `calls`.
 */
import { type ChildProcess, fork } from 'node:child_process';

const START_TIMEOUT_MS = 30_000;
/** How long the driver's output may still arrive after it has exited (see `closed`). */
const EXIT_GRACE_MS = 1000;

export interface DriverCalls<H> {
  /** The handlers the call `id` was made with (undefined once it is settled). */
  handlers(id: number): H | undefined;
  resolve(id: number, value: unknown): void;
  reject(id: number, err: Error): void;
}

export interface IpcDriver<H, M = unknown> {
  /** The child's `ready` message (what it says of itself: an emulator's URL). */
  ready: M;
  pid: number;
  /** Why the child ended, if it already has: `exit code N` or `signal S`. */
  exited(): string | undefined;
  /** Sends `{ type: 'call', id, ...operation }`; settled by onMessage, the child's end, or `timeoutMs`. */
  call<T>(operation: { op: string }, handlers: H, timeoutMs: number): Promise<T>;
  /** What the driver wrote to stderr (a crash's stack trace ends up here). */
  stderr(): string;
  /** Asks the driver to end (`goodbye`), and kills it if it has not after 5 s. */
  close(): Promise<void>;
}

export async function startIpcDriver<H, M extends { type: string }>(o: {
  /** For messages: 'MSAL driver', '@azure/identity driver'. */
  name: string;
  script: string;
  execArgv: string[];
  env: NodeJS.ProcessEnv;
  onMessage: (m: M, calls: DriverCalls<H>) => void;
  /** How the driver is told to end (disconnect, or a message of its protocol). */
  goodbye: (child: ChildProcess) => void;
}): Promise<IpcDriver<H, M>> {
  const child: ChildProcess = fork(o.script, [], {
    execArgv: o.execArgv,
    env: o.env,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  let exitReason: string | undefined;
  let nextId = 1;
  const pending = new Map<
    number,
    { handlers: H; resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 100_000) stderr += chunk.toString('utf8');
  });
  const closed = new Promise<void>((resolve) => {
    const ended = (code: number | null, signal: NodeJS.Signals | null) => {
      if (exitReason) return;
      exitReason = signal ? `signal ${signal}` : `exit code ${code}`;
      for (const p of pending.values()) p.reject(new Error(`${o.name} ended (${exitReason}): ${stderr}`));
      pending.clear();
      resolve();
    };
    let grace: NodeJS.Timeout | undefined;
    child.once('close', (code, signal) => {
      clearTimeout(grace);
      ended(code, signal);
    });
    // 'close' waits for stderr to end too, and a process the driver started may hold
    // that pipe open after the driver itself has exited: once it has, its output gets a moment to arrive, then
    // the pipe is let go (a hook awaiting close() would otherwise never return, and what it cleans up after
    // would be left behind).
    child.once('exit', (code, signal) => {
      grace = setTimeout(() => {
        child.stderr?.destroy();
        ended(code, signal);
      }, EXIT_GRACE_MS);
    });
  });
  const calls: DriverCalls<H> = {
    handlers: (id) => pending.get(id)?.handlers,
    resolve(id, value) {
      const p = pending.get(id);
      pending.delete(id);
      p?.resolve(value);
    },
    reject(id, err) {
      const p = pending.get(id);
      pending.delete(id);
      p?.reject(err);
    },
  };
  child.on('message', (m: M) => {
    if (m.type !== 'ready') o.onMessage(m, calls);
  });

  const ready = await new Promise<M>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${o.name} did not start within ${START_TIMEOUT_MS} ms: ${stderr}`));
    }, START_TIMEOUT_MS);
    const onReady = (m: M) => {
      if (m.type !== 'ready') return;
      clearTimeout(timer);
      child.off('message', onReady);
      resolve(m);
    };
    child.on('message', onReady);
    void closed.then(() => {
      clearTimeout(timer);
      reject(new Error(`${o.name} ended before it was ready (${exitReason}): ${stderr}`));
    });
  });

  return {
    ready,
    pid: child.pid!,
    exited: () => exitReason,
    call<T>(operation: { op: string }, handlers: H, timeoutMs: number): Promise<T> {
      if (exitReason) return Promise.reject(new Error(`${o.name} ended (${exitReason})`));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${o.name} did not finish '${operation.op}' within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          handlers,
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v as T);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        child.send({ type: 'call', id, ...operation });
      });
    },
    stderr: () => stderr,
    close: async () => {
      if (exitReason) return;
      o.goodbye(child);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await closed;
      clearTimeout(timer);
    },
  };
}
