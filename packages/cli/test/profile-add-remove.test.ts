// `profile add` over a saved profile keeps its default account only for the same provider; `profile remove` names
// the command that signs its accounts out, and that command works.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, startEmulator } from '@tokenloop/emulator';
import { BIN, baseEnv, freshHome, runCli } from './support/cli.js';

describe('profile add and remove', () => {
  let em: RunningEmulator;
  before(async () => {
    em = await startEmulator({ autoLogin: 'bob', settings: { deviceCodeInterval: 1 } });
  });
  after(() => em.close());

  it('profile add NAME --emulator again keeps the default account; another provider drops it', async () => {
    const env = baseEnv(freshHome());
    const ok = async (...args: string[]) => assert.equal((await runCli(args, env)).code, 0, args.join(' '));
    await ok('profile', 'add', 'local', '--emulator', em.url);
    await ok('login', '--device');
    const saved = async () =>
      (
        JSON.parse((await runCli(['profile', 'list', '--json'], env)).stdout) as {
          profiles: Record<string, { account?: string }>;
        }
      ).profiles.local?.account;
    const account = await saved();
    assert.ok(account, 'the login made bob the default');
    await ok('profile', 'add', 'local', '--emulator', em.url);
    assert.equal(await saved(), account, 'the same emulator: the same default');
    await ok('profile', 'add', 'local', '--emulator', em.url.replace('127.0.0.1', 'localhost'));
    assert.equal(await saved(), undefined, 'another provider: no default carried over');
  });

  it('profile remove names the command that signs its accounts out, and that command works', async () => {
    const env = baseEnv(freshHome());
    assert.equal((await runCli(['profile', 'add', 'local', '--emulator', em.url], env)).code, 0);
    assert.equal((await runCli(['login', '--device'], env)).code, 0);
    const removed = await runCli(['profile', 'remove', 'local'], env);
    assert.equal(removed.code, 0, removed.stderr);
    assert.doesNotMatch(removed.stderr, /with it/);
    const command = /`tokenloop (logout --all [^`]+)`/.exec(removed.stderr)?.[1];
    assert.ok(command, removed.stderr);
    const r = spawnSync('sh', ['-c', `"$NODE" "$BIN" ${command} --no-browser`], {
      env: { ...env, NODE: process.execPath, BIN },
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /Signed out bob@contoso\.onmicrosoft\.com/);
    const again = await runCli(['profile', 'add', 'local', '--emulator', em.url], env);
    assert.equal(again.code, 0);
    assert.equal((await runCli(['token'], env)).code, 4, 'nobody is signed in any more');
    const none = await runCli(['profile', 'remove', 'local'], env);
    assert.doesNotMatch(none.stderr, /logout/, 'no accounts left: nothing to sign out');
  });

  it('profile remove names the other profiles that still use its accounts, and only when there are some', async () => {
    const env = baseEnv(freshHome());
    const ok = async (...args: string[]) => assert.equal((await runCli(args, env)).code, 0, args.join(' '));
    await ok('profile', 'add', 'local', '--emulator', em.url);
    await ok('profile', 'add', 'again', '--emulator', em.url);
    await ok('profile', 'add', 'elsewhere', '--emulator', em.url.replace('127.0.0.1', 'localhost'));
    await ok('login', '--device', '--profile', 'local');
    const shared = await runCli(['profile', 'remove', 'local'], env);
    assert.equal(shared.code, 0, shared.stderr);
    assert.match(shared.stderr, /profile again still uses it/, 'the other profile of this provider and app');
    assert.doesNotMatch(shared.stderr, /elsewhere/, 'another provider does not use these accounts');
    const alone = await runCli(['profile', 'remove', 'again'], env);
    assert.equal(alone.code, 0, alone.stderr);
    assert.match(alone.stderr, /stays signed in here/);
    assert.doesNotMatch(
      alone.stderr,
      /other profiles|still uses?/,
      'no other profile uses it:\n' + alone.stderr,
    );
  });
});
