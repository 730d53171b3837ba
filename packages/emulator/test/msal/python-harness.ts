/**
 * Parent side of python_driver.py: Debian's MSAL Python (python3-msal) under Debian's own Python, trusting the
 * emulator's local CA through REQUESTS_CA_BUNDLE. Requests go one at a time, one JSON line each way.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** Debian's interpreter: the one python3-msal is installed for (scripts/ensure-system-deps.mjs). */
export const DEBIAN_PYTHON = '/usr/bin/python3';
export const PYTHON_MSAL_PROOF = '/usr/lib/python3/dist-packages/msal/__init__.py';
const DRIVER = join(import.meta.dirname, 'python_driver.py');
const CALL_TIMEOUT_MS = 60_000;

export type PythonOperation =
  | { op: 'createApp'; name: string; clientId: string; authority: string }
  | {
      op: 'signIn';
      name: string;
      flow: 'ropc' | 'device_code' | 'auth_code';
      scopes: string[];
      username?: string;
      password?: string;
      redirectUri?: string;
    }
  | { op: 'silent'; name: string; username: string; scopes: string[] };

/** What python_driver.py reports for a token result: claims and outcomes only, never a token. */
export interface PythonResult {
  error?: string;
  error_codes?: number[];
  suberror?: string;
  description?: string;
  none?: boolean;
  aud?: string;
  scp?: string;
  oid?: string;
  same_token_as_before?: boolean;
  has_refresh_token?: boolean;
}

export interface MsalPython {
  call<T = PythonResult>(operation: PythonOperation): Promise<T>;
  close(): Promise<void>;
}

export async function startMsalPython(caCertFile: string): Promise<MsalPython> {
  if (!existsSync(PYTHON_MSAL_PROOF))
    throw new Error(
      `MSAL Python is missing: run scripts/ensure-system-deps.mjs (apt-get install python3-msal)`,
    );
  const child: ChildProcessWithoutNullStreams = spawn(DEBIAN_PYTHON, [DRIVER], {
    env: { ...process.env, REQUESTS_CA_BUNDLE: caCertFile, PYTHONDONTWRITEBYTECODE: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    if (stderr.length < 100_000) stderr += chunk;
  });
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `exit code ${code}`)),
  );
  let queue: Promise<unknown> = Promise.resolve();

  function callOnce<T>(operation: PythonOperation): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`MSAL Python did not answer '${operation.op}' in time: ${stderr}`)),
        CALL_TIMEOUT_MS,
      );
      void exited.then((why) => {
        clearTimeout(timer);
        reject(new Error(`MSAL Python ended (${why}): ${stderr}`));
      });
      waiting.push((line) => {
        clearTimeout(timer);
        const answer = JSON.parse(line) as { ok: boolean; value?: T; error?: string };
        if (answer.ok) resolve(answer.value as T);
        else reject(new Error(`MSAL Python failed '${operation.op}': ${answer.error}`));
      });
      child.stdin.write(`${JSON.stringify(operation)}\n`);
    });
  }

  return {
    call<T = PythonResult>(operation: PythonOperation): Promise<T> {
      const next = queue.then(() => callOnce<T>(operation));
      queue = next.catch(() => {});
      return next;
    },
    close: async () => {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
