// Every AADSTS class (and the other failure kinds) yields its message, its remediation and its exit code; so do
// the configuration's own errors (conflicting flags, the https rule, a configuration of a newer version) and
// throttling, whose message says how long to wait.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, type Scenarios, startEmulator } from '@tokenloop/emulator';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../../emulator/test/support/chromium.mjs';
import { BIN, baseEnv, freshHome, runCli } from './support/cli.js';

describe('tokenloop CLI errors and exit codes', () => {
  let auto: RunningEmulator;
  let manual: RunningEmulator;
  let home: string;
  before(async () => {
    auto = await startEmulator({ autoLogin: 'bob', settings: { deviceCodeInterval: 1 } });
    manual = await startEmulator({ settings: { deviceCodeInterval: 1 } });
    home = freshHome();
    await runCli(['profile', 'add', 'auto', '--emulator', auto.url], baseEnv(home));
    assert.equal((await runCli(['login', '--device'], baseEnv(home))).code, 0);
  });
  after(async () => {
    await auto.close();
    await manual.close();
  });

  const cases: { name: string; scenarios: Scenarios; exit: number; message: RegExp; fix: RegExp }[] = [
    {
      name: 'consent_required (AADSTS65001)',
      scenarios: { consentRequired: true },
      exit: 4,
      message: /AADSTS65001/,
      fix: /consent/i,
    },
    {
      name: 'mfa_required (AADSTS50076)',
      scenarios: { mfaRequired: true },
      exit: 4,
      message: /AADSTS50076/,
      fix: /multi-factor/i,
    },
    {
      name: 'expired_grant: revoked (AADSTS50173)',
      scenarios: { grantRevoked: true },
      exit: 4,
      message: /AADSTS50173/,
      fix: /sign in again/i,
    },
    {
      name: 'expired_grant: inactivity (AADSTS700082)',
      scenarios: { refreshTokenExpired: true },
      exit: 4,
      message: /AADSTS700082/,
      fix: /sign in again/i,
    },
    {
      name: 'user_blocked (AADSTS50057)',
      scenarios: { disabled: true },
      exit: 4,
      message: /AADSTS50057/,
      fix: /disabled/i,
    },
    {
      name: 'transient: throttled (429)',
      scenarios: { throttleSeconds: 7 },
      exit: 3,
      message: /AADSTS90055|429|throttl/i,
      fix: /try again/i,
    },
    {
      name: 'transient: server error (500)',
      scenarios: { serverError: 500 },
      exit: 3,
      message: /server_error|AADSTS50000/,
      fix: /try again/i,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: exit ${c.exit}, the message and the fix`, async () => {
      auto.setScenarios({ user: 'bob' }, c.scenarios);
      try {
        const r = await runCli(['token', '--force-refresh'], baseEnv(home));
        assert.equal(r.code, c.exit, r.stderr);
        assert.equal(r.stdout, '');
        assert.match(r.stderr, c.message);
        assert.match(r.stderr, c.fix);
        assert.doesNotMatch(r.stderr, /\n\s+at |eyJ/, 'no stack trace, no token');
      } finally {
        auto.setScenarios({ user: 'bob' }, {});
      }
      assert.equal((await runCli(['token'], baseEnv(home))).code, 0, 'tokens were kept');
    });
  }

  it('no client id: the fix names the provider given, and names no emulator address of its own', async () => {
    const fixOf = async (args: string[], env: NodeJS.ProcessEnv = baseEnv(freshHome())) => {
      const r = await runCli(['token', ...args], env);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /no (client id|authority) configured/);
      const fix = r.stderr.split('\n').find((l) => /^\s+fix: /.test(l));
      assert.ok(fix, r.stderr);
      assert.doesNotMatch(fix, /127\.0\.0\.1:\d+|8400|--emulator`/, 'no fixed emulator address');
      return fix;
    };
    const nothing = await fixOf([]);
    assert.match(nothing, /`tokenloop login --authority URL --client-id ID`/);
    assert.match(nothing, /`tokenloop profile add NAME --emulator URL`/);
    const authority = await fixOf(['--authority', 'https://login.example.test/contoso']);
    assert.match(
      authority,
      /`tokenloop login --authority https:\/\/login\.example\.test\/contoso --client-id ID`/,
    );
    const issuer = await fixOf(['--issuer', 'https://idp.example.test/realm']);
    assert.match(issuer, /`tokenloop login --issuer https:\/\/idp\.example\.test\/realm --client-id ID`/);
    const app = await fixOf(['--client-id', 'my-app']);
    assert.match(app, /`tokenloop login --authority URL --client-id my-app`/);
    const fromEnv = await fixOf([], baseEnv(freshHome(), { AZURE_TENANT_ID: 'contoso' }));
    assert.match(fromEnv, /`tokenloop login --client-id ID`[\s\S]*`export AZURE_CLIENT_ID=ID`/);
  });

  it('misconfiguration: an unknown client id (AADSTS700016) is a usage error with the fix', async () => {
    const r = await runCli(
      [
        'login',
        '--device',
        '--authority',
        `${auto.url}/organizations`,
        '--client-id',
        '11111111-2222-3333-4444-555555555555',
      ],
      baseEnv(freshHome()),
    );
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /AADSTS700016/);
    assert.match(r.stderr, /fix: No app with this client ID/);
  });

  it('misconfiguration: a confidential app used as a public client', async () => {
    const r = await runCli(
      ['login', '--device', '--authority', `${auto.url}/organizations`, '--client-id', SAMPLE_IDS.webApp],
      baseEnv(freshHome()),
    );
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /AADSTS7000218|unauthorized_client|public client/i);
    assert.match(r.stderr, /fix: /);
  });

  it('configuration: an unknown tenant and a malformed authority are usage errors', async () => {
    const unknown = await runCli(
      [
        'login',
        '--device',
        '--authority',
        `${auto.url}/no-such-tenant.example`,
        '--client-id',
        SAMPLE_IDS.publicApp,
      ],
      baseEnv(freshHome()),
    );
    assert.equal(unknown.code, 2, unknown.stderr);
    assert.match(unknown.stderr, /discovery|tenant/i);
    const malformed = await runCli(
      ['token', '--authority', 'not a url', '--client-id', 'x'],
      baseEnv(freshHome()),
    );
    assert.equal(malformed.code, 2, malformed.stderr);
    const http = await runCli(
      ['token', '--authority', 'http://login.example.com/common', '--client-id', 'x'],
      baseEnv(freshHome()),
    );
    assert.equal(http.code, 2);
    assert.match(http.stderr, /https/);
  });

  it('temporary: the provider is down', async () => {
    const r = await runCli(
      [
        'login',
        '--device',
        '--authority',
        'http://127.0.0.1:9/organizations',
        '--client-id',
        SAMPLE_IDS.publicApp,
      ],
      baseEnv(freshHome()),
    );
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /cannot reach http:\/\/127\.0\.0\.1:9/);
  });

  it('declined: the user cancels consent on the device page (authorization_declined)', async () => {
    const h = freshHome();
    await runCli(['profile', 'add', 'manual', '--emulator', manual.url], baseEnv(h));
    manual.setScenarios({ user: 'alice' }, { consentRequired: true });
    const child = spawn(process.execPath, [BIN, 'login', '--device'], {
      env: baseEnv(h),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const code = await new Promise<string>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /enter the code ([A-Z0-9]+)/.exec(stderr);
        if (m) resolve(m[1]!);
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS],
    });
    try {
      const page = await browser.newPage();
      await page.goto(`${manual.url}/devicelogin`);
      await page.getByLabel('Code').fill(code);
      await Promise.all([page.waitForNavigation(), page.getByLabel('Code').press('Enter')]);
      await page.getByLabel('Username').fill('alice@contoso.onmicrosoft.com');
      await page.getByLabel('Password').fill('alice-password-1');
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
      // The emulator asks "Are you trying to sign in to <app>?" before a device code is approved (S86).
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Continue' }).click()]);
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Cancel' }).click()]);
    } finally {
      await browser.close();
      manual.setScenarios({ user: 'alice' }, {});
    }
    assert.equal(await exited, 1, stderr);
    assert.match(stderr, /authorization_declined/);
    assert.match(stderr, /fix: Sign-in was declined/);
  });

  it('S22: the CLI stores no client secret; secrets come only from AZURE_CLIENT_SECRET', async () => {
    const h = freshHome();
    const r = await runCli(
      [
        'profile',
        'add',
        'x',
        '--authority',
        `${auto.url}/organizations`,
        '--client-id',
        'c',
        '--client-secret',
        's3cret',
      ],
      baseEnv(h),
    );
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option '--client-secret'/);
  });

  it('--authority and --issuer together are refused, as profile add refuses them', async () => {
    const r = await runCli(
      ['token', '--authority', `${auto.url}/organizations`, '--issuer', auto.url, '--client-id', 'x'],
      baseEnv(freshHome()),
    );
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /either --authority .* or --issuer/);
  });

  it('the https rule says what the CLI can do, not a library option it has no flag for', async () => {
    const r = await runCli(
      ['token', '--authority', 'http://login.example.com/common', '--client-id', 'x'],
      baseEnv(freshHome()),
    );
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /https/);
    assert.doesNotMatch(r.stderr, /dangerouslyAllowInsecureHttp|http\.\w+ option/);
    assert.match(r.stderr, /fix: .*https:\/\/login\.example\.com\/common/);
  });

  it('a configuration written by a newer tokenloop says so', async () => {
    const home = freshHome();
    writeFileSync(join(home, 'config.json'), JSON.stringify({ version: 2, profiles: {} }), { mode: 0o600 });
    const r = await runCli(['token'], baseEnv(home));
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /written by a newer tokenloop \(configuration version 2\)/);
    assert.doesNotMatch(r.stderr, /not a tokenloop configuration/);
  });

  it('throttling (429) says how long to wait, from Retry-After', async () => {
    const env = baseEnv(freshHome());
    await runCli(['profile', 'add', 'local', '--emulator', auto.url], env);
    assert.equal((await runCli(['login', '--device'], env)).code, 0);
    auto.setScenarios({ user: 'bob' }, { throttleSeconds: 7 });
    try {
      const r = await runCli(['token', '--force-refresh'], env);
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /try again in 7 s/i);
    } finally {
      auto.setScenarios({ user: 'bob' }, {});
    }
  });
});
