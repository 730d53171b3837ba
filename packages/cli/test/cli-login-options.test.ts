// The login options people reach for (issue 14, finding 9): --tenant, --login-hint (--username), --prompt,
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

  it('--tenant signs in at that tenant of the authority, and a login remembers it', async () => {
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
    const profiles = JSON.parse((await runCli(['profile', 'list', '--json'], baseEnv(home))).stdout) as {
      current: string;
      profiles: Record<string, { authority: string }>;
    };
    assert.equal(profiles.profiles[profiles.current]!.authority, `${em.url}/contoso.onmicrosoft.com`);
    assert.equal((await runCli(['token'], baseEnv(home))).code, 0);
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
      ['login', '--use-device-code', '--prompt', 'login'],
      baseEnv(home, { BROWSER: RECORDER }),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /enter the code/);
    assert.match(r.stderr, /--prompt applies to browser sign-in/);
  });
});
