// Long waits say what they wait for: a provider that accepts connections and never
// answers gets "Contacting …" within seconds and notices of each retry on stderr; the total is bounded and
// stated; `--timeout` ends the login when asked, not a poll interval early.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { type Server, type Socket, createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, startEmulator } from '@tokenloop/emulator';
import { BIN, baseEnv, freshHome } from './support/cli.js';

/** A TCP server on 127.0.0.1 that accepts every connection and then does what `behave` says (or nothing). */
async function tcpServer(
  behave: (socket: Socket) => void,
  port = 0,
): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    behave(socket);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

interface TimedRun {
  code: number | null;
  stderr: string;
  /** Seconds from start to exit. */
  seconds: number;
  /** Seconds from start to the first stderr line matching each pattern asked about. */
  firstSeen: (pattern: RegExp) => number | undefined;
}

/** Runs the CLI and notes when each stderr chunk arrived. */
function timedRun(args: string[], env: NodeJS.ProcessEnv): Promise<TimedRun> {
  return new Promise((resolve) => {
    const started = performance.now();
    const chunks: { at: number; text: string }[] = [];
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (d: Buffer) =>
      chunks.push({ at: (performance.now() - started) / 1000, text: d.toString() }),
    );
    // 'close', not 'exit': the output may still be arriving when the process has exited.
    child.on('close', (code) => {
      const stderr = chunks.map((c) => c.text).join('');
      resolve({
        code,
        stderr,
        seconds: (performance.now() - started) / 1000,
        firstSeen(pattern) {
          let text = '';
          for (const c of chunks) {
            text += c.text;
            if (pattern.test(text)) return c.at;
          }
          return undefined;
        },
      });
    });
  });
}

/** Runs the CLI until its stderr matches `until` (then ends it), bounded; what it printed by then. */
function runUntil(
  args: string[],
  env: NodeJS.ProcessEnv,
  until: RegExp,
): Promise<{ stderr: string; seconds: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const limit = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tokenloop ${args.join(' ')}: no ${until} within 20 s:\n${stderr}`));
    }, 20_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (until.test(stderr)) child.kill();
    });
    child.on('close', () => {
      clearTimeout(limit);
      resolve({ stderr, seconds: (performance.now() - started) / 1000 });
    });
  });
}

describe('long waits say what they wait for', () => {
  let silent: Awaited<ReturnType<typeof tcpServer>>;
  let resetting: Awaited<ReturnType<typeof tcpServer>>;
  let manual: RunningEmulator;
  before(async () => {
    silent = await tcpServer(() => {});
    resetting = await tcpServer((socket) => socket.resetAndDestroy());
    manual = await startEmulator({ settings: { deviceCodeInterval: 4 } });
  });
  after(async () => {
    await silent.close();
    await resetting.close();
    await manual.close();
  });
  const flags = (url: string) => ['--authority', `${url}/organizations`, '--client-id', SAMPLE_IDS.publicApp];

  it('a provider that never answers: "Contacting …" at once, and --timeout 10 ends it at 10 s, saying why', async () => {
    const host = new URL(silent.url).host;
    const r = await timedRun(
      ['login', '--device', ...flags(silent.url), '--timeout', '10'],
      baseEnv(freshHome()),
    );
    assert.equal(r.code, 3, r.stderr);
    const contacting = r.firstSeen(new RegExp(`Contacting ${host.replaceAll('.', '\\.')}`));
    assert.ok(
      contacting !== undefined && contacting < 4,
      `"Contacting ${host}…" early (${contacting} s):\n${r.stderr}`,
    );
    assert.ok(r.seconds >= 10 && r.seconds < 12, `ended after ${r.seconds.toFixed(1)} s`);
    assert.match(
      r.stderr,
      new RegExp(`gave up after 10 s \\(--timeout\\) waiting for ${host.replaceAll('.', '\\.')}`),
    );
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it('a provider that resets connections: a notice per retry, and the tries it gave up after', async () => {
    const r = await timedRun(['login', '--device', ...flags(resetting.url)], baseEnv(freshHome()));
    assert.equal(r.code, 3, r.stderr);
    const host = new URL(resetting.url).host.replaceAll('.', '\\.');
    assert.match(
      r.stderr,
      new RegExp(`^Contacting ${host}…[^]*trying again \\(2 of 3\\)`),
      'what it waits for first',
    );
    assert.equal(r.stderr.match(/Contacting/g)?.length, 1, 'once');
    assert.match(r.stderr, /trying again \(2 of 3\)/);
    assert.match(r.stderr, /trying again \(3 of 3\)/);
    assert.match(r.stderr, /gave up after 3 tries/);
    assert.ok(r.seconds < 10, `${r.seconds.toFixed(1)} s`);
  });

  it('S199 token --force-refresh and whoami with a provider that stopped answering say what they wait for, as login does', async () => {
    const env = baseEnv(freshHome());
    const em = await startEmulator({ autoLogin: 'bob', settings: { deviceCodeInterval: 1 } });
    const port = Number(new URL(em.url).port);
    try {
      const login = await timedRun(['login', '--device', ...flags(em.url)], env);
      assert.equal(login.code, 0, login.stderr);
    } finally {
      await em.close();
    }
    const mute = await tcpServer(() => {}, port); // the provider's address now accepts and never answers
    try {
      // whoami asks Microsoft Graph (the emulator's, at the same address) with the cached token.
      for (const command of [['token', '--force-refresh'], ['whoami']]) {
        const r = await runUntil(command, env, /Contacting/);
        assert.match(
          r.stderr,
          /Contacting 127\.0\.0\.1:\d+… \(each try waits up to 10 s, 3 tries/,
          command[0],
        );
        assert.ok(r.seconds < 8, `${command[0]} said it after ${r.seconds.toFixed(1)} s`);
      }
    } finally {
      await mute.close();
    }
  });

  it('S199 a provider that refuses connections is said to refuse them, not to give no answer', async () => {
    const closed = await tcpServer(() => {});
    await closed.close(); // its port: nothing listens there now
    const r = await timedRun(['login', '--device', ...flags(closed.url)], baseEnv(freshHome()));
    assert.equal(r.code, 3, r.stderr);
    assert.doesNotMatch(r.stderr, /No answer from/);
    // Refused by this machine's loopback: nothing listens there, so it is not tried again (retry.ts
    // worthRetrying); the message and fix come at once.
    assert.match(r.stderr, /cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
    assert.doesNotMatch(r.stderr, /trying again/);
    assert.match(
      r.stderr,
      /\n {2}fix: check the network connection and the provider's URL \(a local emulator must be running\)/,
    );
    assert.ok(r.seconds < 5, `${r.seconds.toFixed(1)} s`);
  });

  it('a provider that never answers, without --timeout: the wait is bounded and stated', async () => {
    const r = await timedRun(['login', '--device', ...flags(silent.url)], baseEnv(freshHome()));
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /each try waits up to 10 s, 3 tries/);
    assert.match(r.stderr, /gave up after 3 tries/);
    assert.ok(r.seconds < 40, `${r.seconds.toFixed(1)} s`);
  });

  it('doctor against a provider that never answers says what it waits for, as login does', async () => {
    const host = new URL(silent.url).host;
    const r = await runUntil(['doctor', ...flags(silent.url)], baseEnv(freshHome()), /Contacting/);
    assert.match(
      r.stderr,
      new RegExp(`Contacting ${host.replaceAll('.', '\\.')}… \\(each try waits up to 10 s, 3 tries`),
    );
    assert.ok(r.seconds < 8, `said after ${r.seconds.toFixed(1)} s`);
  });

  it('doctor against a provider that refuses connections: the check fails with a fix', async () => {
    const r = await timedRun(['doctor', ...flags(resetting.url)], baseEnv(freshHome()));
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /✗ provider: cannot reach/);
    assert.match(r.stderr, /✗ provider: [^\n]*\n\s+fix: check the network connection and the provider's URL/);
  });

  it('login --timeout ends exactly when asked while waiting for a device code', async () => {
    const r = await timedRun(
      ['login', '--device', ...flags(manual.url), '--timeout', '10'],
      baseEnv(freshHome()),
    );
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /gave up after 10 s \(--timeout\) waiting for the sign-in/);
    assert.ok(r.seconds >= 10 && r.seconds < 11.5, `ended after ${r.seconds.toFixed(1)} s`);
  });
});
