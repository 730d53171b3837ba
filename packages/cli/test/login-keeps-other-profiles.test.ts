// A login in one profile changes no other profile's account: a profile that acted for the only account signed in
// with its provider and app keeps acting for it after another account signs in there from another profile.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type ScriptedProvider,
  startScriptedProvider,
} from '../../tokenloop/test/support/scripted-provider.js';
import { baseEnv, freshHome, runCli } from './support/cli.js';

describe('a login in one profile', () => {
  let p: ScriptedProvider;
  before(async () => {
    p = await startScriptedProvider();
  });
  after(async () => {
    await p.close();
  });

  /** The provider answers the next sign-in as `user`. */
  async function answerAs(user: string): Promise<void> {
    const body = {
      access_token: `at-${user}`,
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: `rt-${user}`,
      scope: 'openid offline_access read',
      id_token: await p.idToken({ sub: `${user}-sub`, preferred_username: `${user}@example.test` }),
    };
    p.on('/token', () => ({ body }));
  }

  it('leaves another profile of the same provider and app acting for the account it acted for', async () => {
    const env = baseEnv(freshHome());
    const flags = ['--issuer', p.url, '--client-id', p.clientId, '--scope', 'read'];
    await answerAs('alice');
    const first = await runCli(['login', '--device', '--profile', 'work', ...flags], env);
    assert.equal(first.code, 0, first.stderr);
    // A second profile of the same provider and app, added after the login: it has no default account and acts
    // for the only account signed in there.
    const add = await runCli(['profile', 'add', 'side', ...flags], env);
    assert.equal(add.code, 0, add.stderr);
    const sideBefore = await runCli(['token', '--profile', 'side', '--format', 'json'], env);
    assert.equal(sideBefore.code, 0, sideBefore.stderr);
    assert.match(sideBefore.stdout, /alice@example\.test/);

    await answerAs('bob');
    const second = await runCli(['login', '--device', '--profile', 'work', '--scope', 'read'], env);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /Profile "side" keeps acting for alice@example\.test/, 'it says so');

    const side = await runCli(['token', '--profile', 'side', '--format', 'json'], env);
    assert.equal(side.code, 0, side.stderr);
    assert.match(side.stdout, /alice@example\.test/, 'profile side still acts for alice');
    const work = await runCli(['token', '--profile', 'work', '--format', 'json'], env);
    assert.equal(work.code, 0, work.stderr);
    assert.match(work.stdout, /bob@example\.test/, 'the profile signed in with acts for bob');
  });

  it('changes nothing when the same account signs in again', async () => {
    const env = baseEnv(freshHome());
    const flags = ['--issuer', p.url, '--client-id', p.clientId, '--scope', 'read'];
    await answerAs('carol');
    assert.equal((await runCli(['login', '--device', '--profile', 'work', ...flags], env)).code, 0);
    assert.equal((await runCli(['profile', 'add', 'side', ...flags], env)).code, 0);
    const again = await runCli(['login', '--device', '--profile', 'work'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /keeps acting for/);
    const list = JSON.parse((await runCli(['profile', 'list', '--json'], env)).stdout) as {
      profiles: Record<string, { account?: string }>;
    };
    assert.equal(list.profiles.side?.account, undefined, 'no default account was written');
  });
});
