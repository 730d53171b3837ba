/**
 * Parent side of the MSAL driver (driver.ts): forks it with NODE_EXTRA_CA_CERTS set to the emulator's local CA,
 * sends operations, and hands browser work (`browse`, `deviceCode` messages) to the calling test, which drives
 * Chromium. A failed browser step fails the call at once instead of waiting for the driver to time out.
 */
import { join } from 'node:path';
import { startIpcDriver } from '../support/ipc-driver.ts';
import type { ChildMessage, DeviceCodeInfo, DriverError, Operation } from './protocol.ts';

const DRIVER = join(import.meta.dirname, 'driver.ts');

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

/** Browser errors may quote a URL the emulator redirected to: keep codes and tokens out of test output. */
function scrub(text: string): string {
  return text.replace(/([?&#](?:code|id_token|access_token|refresh_token)=)[^&\s"']+/g, '$1…');
}

export async function startMsalDriver(caCertFile: string): Promise<MsalDriver> {
  const driver = await startIpcDriver<BrowserHandlers, ChildMessage>({
    name: 'MSAL driver',
    script: DRIVER,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caCertFile },
    goodbye: (child) => child.disconnect(),
    onMessage(m, calls) {
      const browserFailed = (id: number, what: string, err: unknown) =>
        calls.reject(id, new Error(`${what} failed: ${scrub((err as Error)?.message ?? String(err))}`));
      if (m.type === 'result') {
        if (m.ok) calls.resolve(m.id, m.value);
        else calls.reject(m.id, new DriverCallError(m.error));
      } else if (m.type === 'browse') {
        const handler = calls.handlers(m.id)?.onBrowse;
        if (!handler) browserFailed(m.id, 'browse', new Error('the test has no browser handler'));
        else handler(m.url).catch((err: unknown) => browserFailed(m.id, 'browser sign-in', err));
      } else if (m.type === 'deviceCode') {
        const { type: _t, id, ...info } = m;
        const handler = calls.handlers(id)?.onDeviceCode;
        if (handler) handler(info).catch((err: unknown) => browserFailed(id, 'device code sign-in', err));
      }
    },
  });
  return {
    call: <T>(operation: Operation, handlers: BrowserHandlers = {}, timeoutMs = 45_000) =>
      driver.call<T>(operation, handlers, timeoutMs),
    stderr: driver.stderr,
    close: driver.close,
  };
}
