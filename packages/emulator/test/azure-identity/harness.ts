/**
 * Parent side of the @azure/identity driver (driver.mjs): starts it with exactly the environment a test gives,
 * sends operations, hands device codes to the test, and bounds every wait. Also the two pieces of the child's
 * surroundings a test controls: a proxy trap that catches any request meant for a host other than loopback, and
 * a browser for `open` (the package @azure/identity opens the sign-in page with) that hands the URL to the test.
 */
import { once } from 'node:events';
import { watch } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type {
  ChildMessage,
  DriverError,
  Observed,
  Operation,
  ParentMessage,
  TokenSummary,
} from './protocol.ts';
import { startIpcDriver } from '../support/ipc-driver.ts';

const DRIVER = join(import.meta.dirname, 'driver.mjs');

export interface DeviceCodeInfo {
  userCode: string;
  verificationUri: string;
  message: string;
}

export interface CallResult {
  value: TokenSummary | null;
  observed: Observed;
}

/** An operation that failed in the driver; `errorName` is @azure/identity's error class. */
export class DriverCallError extends Error {
  readonly errorName: string;
  readonly observed: Observed;
  constructor(e: DriverError, observed: Observed) {
    super(`${e.name}: ${e.message}`);
    this.name = 'DriverCallError';
    this.errorName = e.name;
    this.observed = observed;
  }
}

export interface IdentityDriver {
  call(
    operation: Operation,
    onDeviceCode?: (i: DeviceCodeInfo) => void,
    timeoutMs?: number,
  ): Promise<CallResult>;
  /** What the driver wrote to stderr (a crash's stack trace, @azure/identity's warnings). */
  stderr(): string;
  close(): Promise<void>;
}

/** The variables a test's child must not inherit: an AZURE_* setting or a proxy of the machine running the tests. */
const INHERITED_NOT = /^(AZURE_|IDENTITY_|MSI_|IMDS_|(HTTPS?|ALL|NO)_PROXY$)/i;

/** This process's environment without AZURE_* and proxy settings, plus `extra`. */
export function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !INHERITED_NOT.test(k)) env[k] = v;
  return { ...env, ...extra };
}

/**
 * Every driver child's surroundings: the emulator's CA, and the proxy trap for whatever is not meant for
 * loopback (`noProxy`: the hosts that go straight to the emulator).
 */
export function containment(
  caCertFile: string,
  trapUrl: string,
  noProxy = '127.0.0.1',
): Record<string, string> {
  return { NODE_EXTRA_CA_CERTS: caCertFile, HTTPS_PROXY: trapUrl, HTTP_PROXY: trapUrl, NO_PROXY: noProxy };
}

/** A driver in a test's usual surroundings: a clean environment that trusts the emulator's CA, proxies a trap. */
export function startContainedDriver(caCertFile: string, trapUrl: string): Promise<IdentityDriver> {
  return startIdentityDriver(cleanEnv(containment(caCertFile, trapUrl)));
}

export async function startIdentityDriver(env: Record<string, string>): Promise<IdentityDriver> {
  type OnDeviceCode = ((i: DeviceCodeInfo) => void) | undefined;
  const driver = await startIpcDriver<OnDeviceCode, ChildMessage>({
    name: '@azure/identity driver',
    script: DRIVER,
    execArgv: [], // not this process's TypeScript loader: the driver is plain JavaScript
    env,
    goodbye: (child) => {
      const bye: ParentMessage = { type: 'exit' };
      child.send(bye);
    },
    onMessage(m, calls) {
      if (m.type === 'result') {
        if (m.ok) calls.resolve(m.id, { value: m.value, observed: m.observed });
        else calls.reject(m.id, new DriverCallError(m.error, m.observed));
      } else if (m.type === 'deviceCode') {
        calls.handlers(m.id)?.({
          userCode: m.userCode,
          verificationUri: m.verificationUri,
          message: m.message,
        });
      }
    },
  });
  return {
    call: (operation, onDeviceCode, timeoutMs = 30_000) =>
      driver.call<CallResult>(operation, onDeviceCode, timeoutMs),
    stderr: driver.stderr,
    close: driver.close,
  };
}

/**
 * A loopback HTTP proxy that forwards nothing: it records the target of every request (`CONNECT host:port` for
 * https) and refuses it. A child with HTTPS_PROXY pointing here and NO_PROXY=127.0.0.1 reaches the emulator
 * directly, and anything else only this trap, so the test sees it instead of the network.
 */
export async function startProxyTrap(): Promise<{
  url: string;
  /** `METHOD target` of each request received, in order. */
  targets: string[];
  /** The next request's `METHOD target`. */
  next(timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}> {
  const targets: string[] = [];
  const waiting: ((target: string) => void)[] = [];
  const server: Server = createServer((socket) => {
    socket.once('data', (chunk: Buffer) => {
      const [method = '', target = ''] = chunk.toString('latin1').split('\r\n', 1)[0]!.split(' ');
      targets.push(`${method} ${target}`);
      for (const w of waiting.splice(0)) w(`${method} ${target}`);
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    targets,
    next: (timeoutMs = 15_000) =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          const i = waiting.indexOf(got);
          if (i >= 0) waiting.splice(i, 1);
          reject(new Error(`no request reached the proxy trap within ${timeoutMs} ms`));
        }, timeoutMs);
        function got(target: string) {
          clearTimeout(timer);
          resolve(target);
        }
        waiting.push(got);
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const BROWSER_NAME = 'tokenloop-test-browser';

/**
 * The browser `open` starts, as users choose theirs on Linux: `open` runs xdg-open, and xdg-open on a system
 * without a desktop runs the program named in $BROWSER with the URL. This one writes the URL to a file the test
 * watches. Returns the environment the child needs (BROWSER, a PATH that finds the program, no display) and
 * `nextUrl()`, which resolves with the next URL opened.
 */
export async function browserStub(dir: string): Promise<{
  env: (base: Record<string, string>) => Record<string, string>;
  nextUrl(timeoutMs?: number): Promise<string>;
}> {
  const urlFile = join(dir, 'opened-url');
  const program = join(dir, BROWSER_NAME);
  await writeFile(
    program,
    '#!/bin/sh\n# Hands the URL to the test (which drives Chromium) instead of opening a browser.\n' +
      `printf '%s\\n' "$1" > "$TL_OPENED_URL_FILE.part" && mv "$TL_OPENED_URL_FILE.part" "$TL_OPENED_URL_FILE"\n`,
  );
  await chmod(program, 0o700);
  return {
    env: (base) => {
      const { DISPLAY: _d, WAYLAND_DISPLAY: _w, ...rest } = base;
      return {
        ...rest,
        PATH: `${dir}:${base.PATH ?? '/usr/bin:/bin'}`,
        BROWSER: BROWSER_NAME,
        XDG_CURRENT_DESKTOP: 'X-Generic',
        TL_OPENED_URL_FILE: urlFile,
      };
    },
    nextUrl: (timeoutMs = 15_000) =>
      new Promise<string>((resolve, reject) => {
        const watcher = watch(dir, (_event, name) => {
          if (name !== 'opened-url') return;
          readFile(urlFile, 'utf8').then(
            (text) => {
              finish();
              resolve(text.trim());
            },
            () => {}, // renamed away already: the next event reads it
          );
        });
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`no URL was opened in the browser within ${timeoutMs} ms`));
        }, timeoutMs);
        function finish() {
          clearTimeout(timer);
          watcher.close();
        }
      }),
  };
}
