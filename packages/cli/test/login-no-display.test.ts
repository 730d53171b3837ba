// Plain `tokenloop login` on a machine without a display (a server, a container, over SSH): it shows what the
// person needs to act on — the sign-in URL of the loopback listener it keeps up, as `login --browser` does, and a
// device code beside it (the first sign-in to finish wins) — and over SSH the `ssh -L` that makes that very URL
// work from the person's own machine.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, startEmulator } from '@tokenloop/emulator';
import { deliverAuthorization } from '../../tokenloop/test/support/browser-stand-in.js';
import { BIN, baseEnv, freshHome, runCli } from './support/cli.js';

/** `tokenloop login ARGS`; once its output shows `ready`, `act(output)` runs; then its exit and output. */
function login(
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  act: (stderr: string) => Promise<void>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'login', ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let acted = false;
    const late = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!acted && ready.test(stderr)) {
        acted = true;
        act(stderr).catch(reject);
      }
    });
    child.on('close', (code) => {
      clearTimeout(late);
      resolve({ code, stdout, stderr });
    });
  });
}

const URL_LINE = /visit:\n\s+(http\S+)/;

describe('login without a display shows the URL and the code', () => {
  let slowDevice: RunningEmulator;
  before(async () => {
    // The device code completes only after 5 s: a sign-in before that came through the printed URL.
    slowDevice = await startEmulator({ autoLogin: 'bob', settings: { deviceCodeInterval: 5 } });
  });
  after(() => slowDevice.close());

  it('no display: the loopback URL is printed and works, a device code beside it', async () => {
    const env = baseEnv(freshHome()); // no DISPLAY, no BROWSER, no SSH
    assert.equal((await runCli(['profile', 'add', 'local', '--emulator', slowDevice.url], env)).code, 0);
    let page = { status: 0, body: '' };
    const r = await login(['--json'], env, /visit:\n\s+http\S+[\s\S]*enter the code/, async (stderr) => {
      page = await deliverAuthorization(URL_LINE.exec(stderr)![1]!);
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(page.status, 200, page.body);
    assert.match(r.stderr, /No display or browser found here/);
    assert.match(r.stderr, /enter the code [A-Z0-9]+/);
    assert.doesNotMatch(r.stderr, /ssh -L/, 'no SSH session: no ssh hint');
    assert.equal((JSON.parse(r.stdout) as { method: string }).method, 'browser');
  });

  it('over SSH: the ssh -L hint names the port of the printed URL, and login --browser --port for next time', async () => {
    const env = baseEnv(freshHome(), { SSH_CONNECTION: '10.0.0.2 52000 10.0.0.1 22' });
    assert.equal((await runCli(['profile', 'add', 'local', '--emulator', slowDevice.url], env)).code, 0);
    const r = await login(['--json'], env, /visit:\n\s+http\S+[\s\S]*enter the code/, async (stderr) => {
      await deliverAuthorization(URL_LINE.exec(stderr)![1]!);
    });
    assert.equal(r.code, 0, r.stderr);
    const url = new URL(URL_LINE.exec(r.stderr)![1]!);
    const port = new URL(url.searchParams.get('redirect_uri')!).port;
    // The emulator runs on this (remote) machine's loopback too: the browser must reach it through the tunnel.
    const emulatorPort = new URL(slowDevice.url).port;
    assert.ok(
      r.stderr.includes(
        `ssh -L ${port}:127.0.0.1:${port} -L ${emulatorPort}:127.0.0.1:${emulatorPort} 10.0.0.1`,
      ),
      `the tunnel for this URL's port ${port} and the emulator's ${emulatorPort}:\n${r.stderr}`,
    );
    // For next time, with a fixed port: this login with its own flags (the profile it signed in to).
    assert.match(r.stderr, /`tokenloop login --profile local --browser --port \d+`/);
  });

  it('over SSH: the hint keeps the flags of the login run (--login-hint, --prompt) and forwards the emulator too', async () => {
    const env = baseEnv(freshHome(), { SSH_CONNECTION: '10.0.0.2 52000 10.0.0.1 22' });
    assert.equal((await runCli(['profile', 'add', 'local', '--emulator', slowDevice.url], env)).code, 0);
    const r = await login(
      ['--json', '--login-hint', 'bob@contoso.onmicrosoft.com', '--prompt', 'login'],
      env,
      /visit:\n\s+http\S+[\s\S]*enter the code/,
      async (stderr) => {
        await deliverAuthorization(URL_LINE.exec(stderr)![1]!);
      },
    );
    assert.equal(r.code, 0, r.stderr);
    const hint = r.stderr.split('\n').find((l) => l.includes('hint: '));
    assert.ok(hint, r.stderr);
    const emulatorPort = new URL(slowDevice.url).port;
    assert.ok(
      hint.includes(`-L ${emulatorPort}:127.0.0.1:${emulatorPort} 10.0.0.1`),
      `the emulator's port ${emulatorPort} is forwarded:\n${hint}`,
    );
    assert.match(hint, /the local emulator/, 'the hint says why the second port is forwarded');
    assert.match(
      hint,
      /`tokenloop login --profile local --login-hint bob@contoso\.onmicrosoft\.com --prompt login --browser --port \d+`/,
      hint,
    );
  });
});
