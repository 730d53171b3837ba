// `login --browser` keeps the loopback listener: when no browser can be opened here (no
// display, over SSH), the URL it printed keeps working, so the person can open it elsewhere (through ssh -L).
// The "browser" is a stand-in that follows the emulator's redirects (auto-login) to the printed URL's loopback.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, startEmulator } from '@tokenloop/emulator';
import { deliverAuthorization } from '../../tokenloop/test/support/browser-stand-in.js';
import { BIN, baseEnv, freshHome, runCli } from './support/cli.js';

/** A port nobody listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Runs `tokenloop login …`, and once it printed the sign-in URL, opens it elsewhere (the stand-in browser). */
async function loginOpenedElsewhere(
  args: string[],
  env: NodeJS.ProcessEnv,
  waitFor: RegExp,
): Promise<{ code: number | null; stderr: string; page: { status: number; body: string } }> {
  const child = spawn(process.execPath, [BIN, 'login', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    const late = setTimeout(() => {
      child.kill();
      reject(new Error(`no URL and ${waitFor} within 30 s:\n${stderr}`));
    }, 30_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /visit:\n\s+(http\S+)/.exec(stderr);
      if (m && waitFor.test(stderr)) {
        clearTimeout(late);
        resolve(m[1]!);
      }
    });
    void exited.then(() => {
      clearTimeout(late);
      reject(new Error(`login ended first:\n${stderr}`));
    });
  });
  const page = await deliverAuthorization(url);
  return { code: await exited, stderr, page };
}

describe('login --browser keeps the loopback listener', () => {
  let em: RunningEmulator;
  let slowDevice: RunningEmulator;
  before(async () => {
    em = await startEmulator({ autoLogin: 'bob', settings: { deviceCodeInterval: 1 } });
    // The device code would complete only after 5 s: a sign-in before that came through the printed URL.
    slowDevice = await startEmulator({ autoLogin: 'bob', settings: { deviceCodeInterval: 5 } });
  });
  after(async () => {
    await em.close();
    await slowDevice.close();
  });

  it('login --browser: an opener that fails leaves the printed URL working', async () => {
    const env = baseEnv(freshHome(), { BROWSER: '/nonexistent/browser' });
    assert.equal((await runCli(['profile', 'add', 'local', '--emulator', em.url], env)).code, 0);
    const r = await loginOpenedElsewhere(['--browser'], env, /could not be opened/i);
    assert.equal(r.page.status, 200, r.page.body);
    assert.match(r.page.body, /Signed in/);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /device code/i, '--browser means the browser');
    assert.match(r.stderr, /Signed in as bob@contoso\.onmicrosoft\.com/);
  });

  it('the ssh hint works: over SSH without a display, the login --browser --port N it names waits on that port', async () => {
    const port = await freePort();
    const ssh = { SSH_CONNECTION: '10.0.0.2 52000 10.0.0.1 22' };
    const env = baseEnv(freshHome(), ssh);
    assert.equal(
      (await runCli(['profile', 'add', 'local', '--emulator', em.url, '--port', String(port)], env)).code,
      0,
    );
    const first = await runCli(['login'], env); // no display: a device code, and the hint
    assert.equal(first.code, 0, first.stderr);
    // Both ports come through the one tunnel: the sign-in's, and the local emulator's sign-in page.
    const emPort = new URL(em.url).port;
    const tunnel = new RegExp(
      `ssh -L ${port}:127\\.0\\.0\\.1:${port} -L ${emPort}:127\\.0\\.0\\.1:${emPort} 10\\.0\\.0\\.1`,
    );
    assert.match(first.stderr, tunnel);
    // The hint is this login with its own flags (loginCommand: the profile it signed in to), then --browser.
    const hinted = /`tokenloop (login [^`]*--browser --port \d+)`/.exec(first.stderr)?.[1];
    assert.equal(hinted, `login --profile local --browser --port ${port}`, first.stderr);
    // Followed on the SSH host, where opening a browser fails (no display): it waits for the tunnelled URL.
    const r = await loginOpenedElsewhere(
      hinted.split(' ').slice(1),
      baseEnv(env.TOKENLOOP_HOME!, { ...ssh, BROWSER: 'false' }),
      /could not be opened/i,
    );
    assert.match(r.stderr, new RegExp(`redirect_uri=http%3A%2F%2F127\\.0\\.0\\.1%3A${port}`));
    assert.match(r.stderr, tunnel);
    assert.equal(r.page.status, 200, r.page.body);
    assert.equal(r.code, 0, r.stderr);
  });

  it('login without --browser: when the opener fails, the printed URL still works beside a device code', async () => {
    const env = baseEnv(freshHome(), { BROWSER: '/nonexistent/browser' });
    assert.equal((await runCli(['profile', 'add', 'local', '--emulator', slowDevice.url], env)).code, 0);
    const r = await loginOpenedElsewhere(['--json'], env, /enter the code/);
    assert.equal(r.page.status, 200, r.page.body);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /The browser could not be opened/);
  });
});
