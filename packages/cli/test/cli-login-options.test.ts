// The login options people reach for: --tenant, --login-hint (--username), --prompt,
// and --use-device-code as another name of --device. The browser is a stand-in that notes the URL it is given;
// the test then opens that URL itself (the emulator signs in bob without pages).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, startEmulator } from '@tokenloop/emulator';
import { deliverAuthorization } from '../../tokenloop/test/support/browser-stand-in.js';
import { BIN, type CliRun, baseEnv, freshHome, runCli } from './support/cli.js';

const RECORDER = join(import.meta.dirname, 'support', 'recording-browser.mjs');

/** `tokenloop login …` with the recording browser: the authorization URL it was given, then the result. */
async function browserLogin(args: string[], home: string): Promise<{ url: URL; run: CliRun }> {
  const file = join(home, 'opened-url');
  rmSync(file, { force: true });
  const env = baseEnv(home, { BROWSER: RECORDER, TL_BROWSER_URL_FILE: file });
  const child = spawn(process.execPath, [BIN, 'login', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  for (let i = 0; i < 200 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 50));
  const url = new URL(readFileSync(file, 'utf8'));
  await deliverAuthorization(url);
  return { url, run: { code: await exited, stdout, stderr } };
}

describe('login options', () => {
  let em: RunningEmulator;
  before(async () => {
    em = await startEmulator({ autoLogin: 'bob', settings: { deviceCodeInterval: 1 } });
  });
  after(() => em.close());
  const local = async (home: string) =>
    assert.equal((await runCli(['profile', 'add', 'local', '--emulator', em.url], baseEnv(home))).code, 0);

  it('--login-hint and --prompt reach the authorization request; --username is --login-hint', async () => {
    const home = freshHome();
    await local(home);
    const hinted = await browserLogin(
      ['--login-hint', 'bob@contoso.onmicrosoft.com', '--prompt', 'select_account'],
      home,
    );
    assert.equal(hinted.run.code, 0, hinted.run.stderr);
    assert.equal(hinted.url.searchParams.get('login_hint'), 'bob@contoso.onmicrosoft.com');
    assert.equal(hinted.url.searchParams.get('prompt'), 'select_account');
    const username = await browserLogin(
      ['--username', 'bob@contoso.onmicrosoft.com', '--prompt', 'login'],
      home,
    );
    assert.equal(username.run.code, 0, username.run.stderr);
    assert.equal(username.url.searchParams.get('login_hint'), 'bob@contoso.onmicrosoft.com');
    assert.equal(username.url.searchParams.get('prompt'), 'login');
    const consent = await browserLogin(['--prompt', 'consent'], home);
    assert.equal(consent.url.searchParams.get('prompt'), 'consent');
    assert.equal((await runCli(['login', '--prompt', 'sometimes'], baseEnv(home))).code, 2);
  });

  it('S132 --tenant signs in at that tenant of the authority for this once: the profile is left as it was', async () => {
    const home = freshHome();
    await local(home);
    const r = await runCli(
      ['login', '--device', '--tenant', 'contoso.onmicrosoft.com', '--json'],
      baseEnv(home),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      (JSON.parse(r.stdout) as { account: { tenantId: string } }).account.tenantId,
      SAMPLE_IDS.contoso,
    );
    assert.match(r.stderr, /profile "local" is unchanged/);
    const profiles = JSON.parse((await runCli(['profile', 'list', '--json'], baseEnv(home))).stdout) as {
      current: string;
      profiles: Record<string, { authority: string; account?: string }>;
    };
    assert.equal(profiles.profiles[profiles.current]!.authority, `${em.url}/organizations`);
    assert.equal(profiles.profiles[profiles.current]!.account, undefined, 'nobody made its default');
    assert.equal((await runCli(['token', '--tenant', 'contoso.onmicrosoft.com'], baseEnv(home))).code, 0);
    assert.equal(
      (await runCli(['token'], baseEnv(home))).code,
      0,
      'bob is of a work tenant: organizations has him',
    );
    const issuer = await runCli(
      ['token', '--issuer', em.url, '--client-id', 'x', '--tenant', 'y'],
      baseEnv(home),
    );
    assert.equal(issuer.code, 2, issuer.stderr);
    assert.match(issuer.stderr, /--tenant/);
  });

  it('--use-device-code is --device; browser-only options say they do not apply to it', async () => {
    const home = freshHome();
    await local(home);
    const r = await runCli(
      ['login', '--use-device-code', '--prompt', 'login', '--login-hint', 'bob@contoso.onmicrosoft.com'],
      baseEnv(home, { BROWSER: RECORDER }),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /enter the code/);
    assert.match(r.stderr, /--prompt applies to browser sign-in/);
    assert.match(
      r.stderr,
      /--login-hint applies to browser sign-in: on the device page, sign in as bob@contoso\.onmicrosoft\.com/,
    );
  });

  it('--browser with --device (or --use-device-code) is refused: they contradict each other', async () => {
    const home = freshHome();
    await local(home);
    for (const device of ['--device', '--use-device-code']) {
      const r = await runCli(['login', '--browser', device], baseEnv(home));
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /cannot be used with/);
    }
    const help = await runCli(['login', '--help'], baseEnv(home));
    assert.match(help.stdout, /--timeout <seconds>\s+give up waiting after this long \(10 to 3600 seconds\)/);
  });

  it('S133 someone else than --login-hint signs in: said, and not made the default account', async () => {
    const people = await startEmulator({ settings: { deviceCodeInterval: 1 } });
    try {
      const home = freshHome();
      const env = (user: string) =>
        baseEnv(home, {
          BROWSER: join(import.meta.dirname, 'support', 'form-browser.mjs'),
          TL_BROWSER_USER: user,
        });
      assert.equal(
        (await runCli(['profile', 'add', 'local', '--emulator', people.url], baseEnv(home))).code,
        0,
      );
      const alice = await runCli(
        ['login', '--login-hint', 'alice@contoso.onmicrosoft.com'],
        env('alice@contoso.onmicrosoft.com'),
      );
      assert.equal(alice.code, 0, alice.stderr);
      assert.doesNotMatch(alice.stderr, /Note:/, 'the one asked for');
      // The person at the browser signs in as bob although carol was asked for.
      const bob = await runCli(
        ['login', '--login-hint', 'carol@fabrikam.onmicrosoft.com'],
        env('bob@contoso.onmicrosoft.com'),
      );
      assert.equal(bob.code, 0, bob.stderr);
      assert.match(
        bob.stderr,
        /Note: signed in as bob@contoso\.onmicrosoft\.com, not as carol@fabrikam\.onmicrosoft\.com \(--login-hint\): bob@contoso\.onmicrosoft\.com is signed in but not made the default account\. To make it the default: `tokenloop account use bob@contoso\.onmicrosoft\.com --profile local`/,
      );
      assert.doesNotMatch(bob.stderr, /is the default account of profile/);
      const token = await runCli(['token', '--format', 'json'], baseEnv(home));
      assert.equal(token.code, 0, token.stderr);
      assert.equal(
        (JSON.parse(token.stdout) as { account: { username: string } }).account.username,
        'alice@contoso.onmicrosoft.com',
        'the default is still alice',
      );
      // A hint that is the start of the username that signed in is that person.
      const short = await runCli(['login', '--login-hint', 'bo'], env('bob@contoso.onmicrosoft.com'));
      assert.equal(short.code, 0, short.stderr);
      assert.doesNotMatch(short.stderr, /Note:/);
    } finally {
      await people.close();
    }
  });
});
