/**
 * Parent side of the MSAL driver (driver.ts): forks it with NODE_EXTRA_CA_CERTS set to the emulator's local CA,
 * sends operations, and hands browser work (`browse`, `deviceCode` messages) to the calling test, which drives
 * Chromium. A failed browser step fails the call at once instead of waiting for the driver to time out.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { ChildMessage, DeviceCodeInfo, DriverError, Operation, ParentMessage } from './protocol.ts';

const DRIVER = join(import.meta.dirname, 'driver.ts');
const START_TIMEOUT_MS = 30_000;

export interface BrowserHandlers {
  /** Open this authorize URL and sign in; resolves once the browser is back at the app. */
  onBrowse?: (url: string) => Promise<void>;
  /** Enter this user code at the verification URI and sign in. */
  onDeviceCode?: (info: DeviceCodeInfo) => Promise<void>;
}

export interface MsalDriver {
  call<T>(operation: Operation, handlers?: BrowserHandlers, timeoutMs?: number): Promise<T>;
  /** What the driver wrote to stderr (a crash's stack trace ends up here). */
  stderr(): string;
  close(): Promise<void>;
}

/** An operation that failed in the driver; `name`, `errorCode` and `subError` are MSAL's. */
export class DriverCallError extends Error {
  readonly errorName: string;
  readonly errorCode: string | undefined;
  readonly subError: string | undefined;
  constructor(e: DriverError) {
    super(`${e.name}: ${e.message}`);
    this.name = 'DriverCallError';
    this.errorName = e.name;
    this.errorCode = e.errorCode;
    this.subError = e.subError;
  }
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  handlers: BrowserHandlers;
}

/** Browser errors may quote a URL the emulator redirected to: keep codes and tokens out of test output. */
function scrub(text: string): string {
  return text.replace(/([?&#](?:code|id_token|access_token|refresh_token)=)[^&\s"']+/g, '$1…');
}

export async function startMsalDriver(caCertFile: string): Promise<MsalDriver> {
  const child: ChildProcess = fork(DRIVER, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caCertFile },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  let exitReason: string | undefined;
  let nextId = 1;
  const pending = new Map<number, Pending>();
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 100_000) stderr += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitReason = signal ? `signal ${signal}` : `exit code ${code}`;
      for (const p of pending.values()) p.reject(new Error(`MSAL driver ended (${exitReason}): ${stderr}`));
      pending.clear();
      resolve();
    });
  });

  function settleWithBrowserError(id: number, what: string, err: unknown): void {
    const p = pending.get(id);
    if (!p) return;
    pending.delete(id);
    p.reject(new Error(`${what} failed: ${scrub((err as Error)?.message ?? String(err))}`));
  }

  child.on('message', (m: ChildMessage) => {
    if (m.type === 'result') {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else {
        p.reject(new DriverCallError(m.error));
      }
    } else if (m.type === 'browse') {
      const handler = pending.get(m.id)?.handlers.onBrowse;
      if (!handler) settleWithBrowserError(m.id, 'browse', new Error('the test has no browser handler'));
      else handler(m.url).catch((err: unknown) => settleWithBrowserError(m.id, 'browser sign-in', err));
    } else if (m.type === 'deviceCode') {
      const { type: _t, id, ...info } = m;
      const handler = pending.get(id)?.handlers.onDeviceCode;
      if (handler)
        handler(info).catch((err: unknown) => settleWithBrowserError(id, 'device code sign-in', err));
    }
  });

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`MSAL driver did not start within ${START_TIMEOUT_MS} ms: ${stderr}`));
    }, START_TIMEOUT_MS);
    const onReady = (m: ChildMessage) => {
      if (m.type !== 'ready') return;
      clearTimeout(timer);
      child.off('message', onReady);
      resolve();
    };
    child.on('message', onReady);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`MSAL driver ended before it was ready (${exitReason}): ${stderr}`));
    });
  });

  return {
    call<T>(operation: Operation, handlers: BrowserHandlers = {}, timeoutMs = 45_000): Promise<T> {
      if (exitReason) return Promise.reject(new Error(`MSAL driver ended (${exitReason})`));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`MSAL driver did not finish '${operation.op}' within ${timeoutMs} ms`));
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
        const message: ParentMessage = { type: 'call', id, ...operation };
        child.send(message);
      });
    },
    stderr: () => stderr,
    close: async () => {
      if (exitReason) return;
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
