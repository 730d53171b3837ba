// The CLI end to end against the emulator: browser login (real headless Chromium as $BROWSER), device login,
// token in every format, whoami, accounts, logout, profiles, configuration precedence, fallback to device code.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, startEmulator } from '@tokenloop/emulator';
import { BROWSER_DRIVER, baseEnv, freshHome, runCli } from './support/cli.js';

const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
const JWT = /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/;

describe('tokenloop CLI against the emulator', () => {
  let em: RunningEmulator;
  let auto: RunningEmulator;
  before(async () => {
    em = await startEmulator();
    auto = await startEmulator({ autoLogin: 'bob', settings: { deviceCodeInterval: 1 } });
  });
  after(async () => {
    await em.close();
    await auto.close();
  });

  it('browser login through real Chromium ($BROWSER), then tokens in every format, whoami, accounts, logout', async () => {
    const home = freshHome();
    const log = join(home, 'browser.json');
    const env = baseEnv(home, {
      BROWSER: BROWSER_DRIVER,
      TL_BROWSER_USER: 'alice@contoso.onmicrosoft.com',
      TL_BROWSER_PASSWORD: 'alice-password-1',
      TL_BROWSER_LOG: log,
    });
    assert.equal((await runCli(['profile', 'add', 'local', '--emulator', em.url], env)).code, 0);
    const login = await runCli(['login'], env);
    assert.equal(login.code, 0, login.stderr);
    assert.equal(login.stdout, '', 'stdout carries data only');
    assert.match(login.stderr, /Signed in as alice@contoso\.onmicrosoft\.com \(profile local\)/);
    for (let i = 0; i < 100 && !existsSync(log); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal((JSON.parse(readFileSync(log, 'utf8')) as { title: string }).title, 'Signed in');

    const raw = await runCli(['token'], env);
    assert.equal(raw.code, 0, raw.stderr);
    assert.match(raw.stdout.trim(), JWT);
    assert.equal(raw.stderr, '');
    assert.equal(claimsOf(raw.stdout.trim()).aud, 'https://graph.microsoft.com');

    const json = JSON.parse((await runCli(['token', '--format', 'json'], env)).stdout) as Record<
      string,
      unknown
    >;
    assert.equal(json.accessToken, raw.stdout.trim());
    assert.equal((json.account as { username: string }).username, 'alice@contoso.onmicrosoft.com');
    assert.ok((json.expiresIn as number) > 3000);
    assert.equal(json.fromCache, true);

    assert.equal(
      (await runCli(['token', '--format', 'header'], env)).stdout,
      `Authorization: Bearer ${raw.stdout.trim()}\n`,
    );
    assert.equal(
      (await runCli(['token', '--format=env'], env)).stdout,
      `export ACCESS_TOKEN='${raw.stdout.trim()}'\n`,
    );
    const x = Buffer.from((await runCli(['token', '-f', 'xoauth2'], env)).stdout.trim(), 'base64').toString();
    assert.equal(x, `user=alice@contoso.onmicrosoft.com\u0001auth=Bearer ${raw.stdout.trim()}\u0001\u0001`);
    const ob = Buffer.from(
      (await runCli(['token', '--format', 'oauthbearer', '--user', 'shared@contoso.com'], env)).stdout.trim(),
      'base64',
    ).toString();
    assert.match(ob, /^n,a=shared@contoso\.com,\u0001auth=Bearer eyJ/);

    const whoami = await runCli(['whoami'], env);
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.match(whoami.stdout, /^Alice Adams <alice@contoso\.onmicrosoft\.com>/);
    assert.equal(
      (JSON.parse((await runCli(['whoami', '--json'], env)).stdout) as { id: string }).id,
      SAMPLE_IDS.alice,
    );
    const accounts = JSON.parse((await runCli(['accounts', '--json'], env)).stdout) as { username: string }[];
    assert.deepEqual(
      accounts.map((a) => a.username),
      ['alice@contoso.onmicrosoft.com'],
    );

    const logout = await runCli(['logout', '--no-browser'], env);
    assert.equal(logout.code, 0, logout.stderr);
    assert.match(logout.stderr, /Signed out alice@contoso\.onmicrosoft\.com/);
    assert.match(logout.stderr, /oauth2\/v2\.0\/logout\?client_id=/);
    assert.doesNotMatch(logout.stderr, /id_token_hint|eyJ/, 'no token on the terminal');
    const after = await runCli(['token'], env);
    assert.equal(after.code, 4);
    assert.equal(after.stdout, '');
    assert.match(after.stderr, /sign-in required[\s\S]*tokenloop login --profile local/);
  });

  it('device login (--device) and the automatic fallback to device code without a display, with an ssh hint', async () => {
    const home = freshHome();
    const env = baseEnv(home);
    await runCli(['profile', 'add', 'auto', '--emulator', auto.url], env);
    const device = await runCli(['login', '--device', '--json'], env);
    assert.equal(device.code, 0, device.stderr);
    assert.match(
      device.stderr,
      /To sign in, open http:\/\/127\.0\.0\.1:\d+\/devicelogin and enter the code [A-Z0-9]+/,
    );
    assert.equal(
      (JSON.parse(device.stdout) as { method: string; account: { username: string } }).account.username,
      'bob@contoso.onmicrosoft.com',
    );
    const fallback = await runCli(['login'], baseEnv(home, { SSH_CONNECTION: '10.0.0.2 52000 10.0.0.1 22' }));
    assert.equal(fallback.code, 0, fallback.stderr);
    assert.match(
      fallback.stderr,
      /No display or browser found here: open the URL above .*or sign in with the device code below/,
    );
    assert.match(fallback.stderr, /enter the code [A-Z0-9]+/);
    // The tunnel forwards the sign-in's port and the local emulator's (its sign-in page).
    const emulatorPort = new URL(auto.url).port;
    assert.match(
      fallback.stderr,
      new RegExp(
        `ssh -L (\\d+):127\\.0\\.0\\.1:\\1 -L ${emulatorPort}:127\\.0\\.0\\.1:${emulatorPort} 10\\.0\\.0\\.1`,
      ),
    );
  });

  it('a browser that cannot be opened offers a device code (beside the printed URL)', async () => {
    const home = freshHome();
    const env = baseEnv(home, { BROWSER: '/nonexistent/browser' });
    await runCli(['profile', 'add', 'auto', '--emulator', auto.url], env);
    const r = await runCli(['login'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /The browser could not be opened: open the URL above yourself, or sign in with a device code/,
    );
    assert.match(r.stderr, /enter the code/);
  });

  it('profiles: add, list, use, remove; --profile overrides the one in use', async () => {
    const home = freshHome();
    const env = baseEnv(home);
    await runCli(['profile', 'add', 'a', '--emulator', em.url], env);
    await runCli(
      [
        'profile',
        'add',
        'b',
        '--authority',
        `${auto.url}/${SAMPLE_IDS.contoso}`,
        '--client-id',
        SAMPLE_IDS.publicApp,
        '--scope',
        'User.Read',
      ],
      env,
    );
    let list = JSON.parse((await runCli(['profile', 'list', '--json'], env)).stdout) as {
      current: string;
      profiles: Record<string, unknown>;
    };
    assert.equal(list.current, 'a');
    assert.deepEqual(Object.keys(list.profiles).sort(), ['a', 'b']);
    assert.equal((await runCli(['login', '--device', '--profile', 'b'], env)).code, 0);
    assert.equal((await runCli(['token'], env)).code, 4, 'profile a has no sign-in yet');
    assert.equal((await runCli(['token', '--profile', 'b'], env)).code, 0);
    assert.equal((await runCli(['profile', 'use', 'b'], env)).code, 0);
    assert.equal((await runCli(['token'], env)).code, 0);
    assert.equal((await runCli(['profile', 'use', 'nope'], env)).code, 2);
    assert.equal((await runCli(['profile', 'remove', 'b'], env)).code, 0);
    list = JSON.parse((await runCli(['profile', 'list', '--json'], env)).stdout) as typeof list;
    assert.deepEqual(Object.keys(list.profiles), ['a']);
    assert.equal((await runCli(['profile', 'add', 'bad name!', '--emulator'], env)).code, 2);
  });

  it('configuration precedence: flags > AZURE_* environment > profile; a missing configuration says what to do', async () => {
    const home = freshHome();
    const none = await runCli(['token'], baseEnv(home));
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no client id configured[\s\S]*profile add/);
    await runCli(
      [
        'profile',
        'add',
        'p',
        '--authority',
        'http://127.0.0.1:1/organizations',
        '--client-id',
        'profile-client',
      ],
      baseEnv(home),
    );
    const envFirst = baseEnv(home, {
      AZURE_TENANT_ID: 'organizations',
      AZURE_AUTHORITY_HOST: auto.url,
      AZURE_CLIENT_ID: SAMPLE_IDS.publicApp,
    });
    const login = await runCli(['login', '--device'], envFirst);
    assert.equal(login.code, 0, login.stderr);
    const doctor = JSON.parse((await runCli(['doctor', '--json'], envFirst)).stdout) as {
      checks: { name: string; detail: string }[];
    };
    assert.match(doctor.checks[0]!.detail, /\(environment\), client .* \(environment\)/);
    const flagged = await runCli(['token', '--authority', 'http://127.0.0.1:1/organizations'], envFirst);
    assert.equal(flagged.code, 4, 'the flag authority (another environment) has no sign-in');
  });

  it('decode prints claims with human times offline; bad input is a usage error', async () => {
    const home = freshHome();
    const env = baseEnv(home);
    await runCli(['profile', 'add', 'auto', '--emulator', auto.url], env);
    await runCli(['login', '--device'], env);
    const token = (await runCli(['token'], env)).stdout.trim();
    const decoded = await runCli(['decode', '-'], env, token);
    assert.equal(decoded.code, 0, decoded.stderr);
    assert.match(
      decoded.stdout,
      /"aud": ?"https:\/\/graph\.microsoft\.com"|aud: "https:\/\/graph\.microsoft\.com"/,
    );
    assert.match(decoded.stdout, /exp: \d+\s+\(.*\d{4}/);
    const bad = await runCli(['decode', 'not-a-jwt'], env);
    assert.equal(bad.code, 2);
    assert.equal(bad.stdout, '');
  });

  it('every output that reports has --json, and NO_COLOR keeps stderr plain', async () => {
    const home = freshHome();
    const env = baseEnv(home, { NO_COLOR: '1' });
    await runCli(['profile', 'add', 'auto', '--emulator', auto.url], env);
    const doctor = await runCli(['doctor'], env);
    assert.doesNotMatch(doctor.stderr, /\u001b\[/);
    assert.equal((JSON.parse((await runCli(['doctor', '--json'], env)).stdout) as { ok: boolean }).ok, true);
  });
});
