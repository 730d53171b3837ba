// A login is remembered: what a person signed in with is what the next plain command
// uses, as with `az login` and `gh auth login`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, startEmulator } from '@tokenloop/emulator';
import { baseEnv, freshHome, runCli } from './support/cli.js';

interface ProfileList {
  current: string | null;
  profiles: Record<string, { authority?: string; issuer?: string; clientId: string; scopes?: string[] }>;
}

describe('a login is remembered', () => {
  let auto: RunningEmulator;
  let other: RunningEmulator;
  before(async () => {
    auto = await startEmulator({ autoLogin: 'bob', settings: { deviceCodeInterval: 1 } });
    other = await startEmulator({ autoLogin: 'alice', settings: { deviceCodeInterval: 1 } });
  });
  after(async () => {
    await auto.close();
    await other.close();
  });
  const flags = (em: RunningEmulator) => [
    '--authority',
    `${em.url}/organizations`,
    '--client-id',
    SAMPLE_IDS.publicApp,
  ];
  const list = async (env: NodeJS.ProcessEnv) =>
    JSON.parse((await runCli(['profile', 'list', '--json'], env)).stdout) as ProfileList;

  it('a login with flags is remembered: plain token, whoami and accounts work next', async () => {
    const env = baseEnv(freshHome());
    const login = await runCli(['login', '--device', ...flags(auto)], env);
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stderr, /Signed in as bob@contoso\.onmicrosoft\.com/);
    assert.match(login.stderr, /saved as profile "default", now in use/i, 'it says so');
    for (const args of [['token'], ['whoami'], ['accounts']]) {
      const r = await runCli(args, env);
      assert.equal(r.code, 0, `${args[0]}: ${r.stderr}`);
    }
    const profiles = await list(env);
    assert.equal(profiles.current, 'default');
    assert.equal(profiles.profiles.default?.authority, `${auto.url}/organizations`);
    assert.equal(profiles.profiles.default?.clientId, SAMPLE_IDS.publicApp);
  });

  it('a login with flags while another profile is in use switches to it and names the way back', async () => {
    const env = baseEnv(freshHome());
    assert.equal((await runCli(['profile', 'add', 'work', '--emulator', other.url], env)).code, 0);
    assert.equal((await runCli(['login', '--device'], env)).code, 0);
    const login = await runCli(['login', '--device', ...flags(auto), '--scope', 'User.Read'], env);
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stderr, /tokenloop profile use work/, 'the way back');
    const token = await runCli(['token', '--format', 'json'], env);
    assert.equal(token.code, 0, token.stderr);
    assert.match(token.stdout, /bob@contoso\.onmicrosoft\.com/, 'the account just signed in');
    // The same flags again reuse the saved profile instead of adding another.
    assert.equal((await runCli(['profile', 'use', 'work'], env)).code, 0);
    assert.equal((await runCli(['login', '--device', ...flags(auto)], env)).code, 0);
    const profiles = await list(env);
    assert.deepEqual(Object.keys(profiles.profiles).sort(), ['default', 'work']);
    assert.equal(profiles.current, 'default');
    assert.deepEqual(profiles.profiles.default?.scopes, ['User.Read'], 'scopes from the first login kept');
  });

  it('S197 a login with flags saved as another profile than the one in use names the profile its tokens went to', async () => {
    const env = baseEnv(freshHome());
    assert.equal((await runCli(['profile', 'add', 'work', '--emulator', other.url], env)).code, 0);
    const login = await runCli(['login', '--device', ...flags(auto)], env);
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stderr, /saved as profile "default", now in use/i);
    assert.match(login.stderr, /Signed in as bob@contoso\.onmicrosoft\.com \(profile default\)\./);
    assert.doesNotMatch(login.stderr, /profile work\)/, 'not the profile that was in use');
  });

  it('login --profile NEW with flags creates that profile and uses it', async () => {
    const env = baseEnv(freshHome());
    const login = await runCli(['login', '--device', '--profile', 'mine', ...flags(auto)], env);
    assert.equal(login.code, 0, login.stderr);
    assert.equal((await runCli(['token'], env)).code, 0);
    assert.equal((await list(env)).current, 'mine');
  });

  it('a login configured by AZURE_* variables leaves the configuration alone (the environment is kept)', async () => {
    const home = freshHome();
    const env = baseEnv(home, {
      AZURE_TENANT_ID: 'organizations',
      AZURE_AUTHORITY_HOST: auto.url,
      AZURE_CLIENT_ID: SAMPLE_IDS.publicApp,
    });
    const login = await runCli(['login', '--device'], env);
    assert.equal(login.code, 0, login.stderr);
    assert.doesNotMatch(login.stderr, /saved as profile/i);
    assert.equal((await runCli(['token'], env)).code, 0);
    assert.deepEqual((await list(baseEnv(home))).profiles, {});
  });
});
