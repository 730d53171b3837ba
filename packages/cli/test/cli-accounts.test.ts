// Several accounts: a default account per profile (the last one signed in, or the one
// chosen with `tokenloop account use`), `--account` by an unambiguous prefix of the username, and `status`.
// Against a scripted provider that signs in whoever the test says.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type ScriptedProvider,
  startScriptedProvider,
} from '../../tokenloop/test/support/scripted-provider.js';
import { baseEnv, freshHome, runCli } from './support/cli.js';

describe('several accounts signed in', () => {
  let p: ScriptedProvider;
  /** Which user an access token was issued to (for the userinfo endpoint). */
  const owners = new Map<string, { sub: string; name: string }>();
  before(async () => {
    p = await startScriptedProvider();
    p.on('/userinfo', (req) => {
      const owner = owners.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      return owner ? { body: owner } : { status: 401, body: { error: 'invalid_token' } };
    });
  });
  after(() => p?.close());
  const flags = () => ['--issuer', p.url, '--client-id', p.clientId, '--scope', 'read'];

  async function signIn(env: NodeJS.ProcessEnv, user: string): Promise<string> {
    const idToken = await p.idToken({ sub: `${user}-sub`, preferred_username: `${user}@example.test` });
    p.on('/token', async () => {
      const body = await p.tokenResponse({ id_token: idToken });
      owners.set(body.access_token as string, { sub: `${user}-sub`, name: user });
      return { body };
    });
    try {
      const r = await runCli(['login', '--device', ...flags()], env);
      assert.equal(r.code, 0, r.stderr);
      return r.stderr;
    } finally {
      p.on('/token', undefined);
    }
  }
  const tokenUser = async (env: NodeJS.ProcessEnv, ...args: string[]) => {
    const r = await runCli(['token', '--format', 'json', ...args], env);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { account: { username: string } }).account.username;
  };

  it('the account signed in last is the default: token and whoami use it without --account', async () => {
    const env = baseEnv(freshHome());
    await signIn(env, 'alice');
    const second = await signIn(env, 'bob');
    assert.match(second, /bob@example\.test is the default account of profile "default"/);
    assert.match(second, /tokenloop account use NAME/, 'how to switch');
    assert.equal(await tokenUser(env), 'bob@example.test');
    const whoami = await runCli(['whoami', '--json'], env);
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.equal((JSON.parse(whoami.stdout) as { sub: string }).sub, 'bob-sub');
  });

  it('tokenloop account use NAME switches the default of the profile', async () => {
    const env = baseEnv(freshHome());
    await signIn(env, 'alice');
    await signIn(env, 'bob');
    const use = await runCli(['account', 'use', 'alice@example.test'], env);
    assert.equal(use.code, 0, use.stderr);
    assert.match(use.stderr, /alice@example\.test is now the default account of profile "default"/);
    assert.equal(await tokenUser(env), 'alice@example.test');
    const whoami = await runCli(['whoami', '--json'], env);
    assert.equal((JSON.parse(whoami.stdout) as { sub: string }).sub, 'alice-sub');
    assert.equal((await runCli(['account', 'use', 'bo'], env)).code, 0, 'a prefix names bob');
    assert.equal(await tokenUser(env), 'bob@example.test');
    const nobody = await runCli(['account', 'use', 'zed'], env);
    assert.equal(nobody.code, 4, nobody.stderr);
    assert.equal(await tokenUser(env), 'bob@example.test', 'the default is unchanged');
  });

  it('--account takes an unambiguous prefix of the username; an ambiguous one lists the candidates', async () => {
    const env = baseEnv(freshHome());
    for (const user of ['alice', 'alan', 'bob']) await signIn(env, user);
    assert.equal(await tokenUser(env, '--account', 'alice'), 'alice@example.test');
    assert.equal(await tokenUser(env, '--account', 'ALI'), 'alice@example.test');
    assert.equal(await tokenUser(env, '--account', 'bob'), 'bob@example.test');
    const both = await runCli(['token', '--account', 'al'], env);
    assert.equal(both.code, 2, both.stderr);
    assert.equal(both.stdout, '');
    assert.match(both.stderr, /"al" names 2 signed-in accounts/);
    assert.match(both.stderr, /"alan@example\.test"/);
    assert.match(both.stderr, /"alice@example\.test"/);
    const none = await runCli(['token', '--account', 'zed'], env);
    assert.equal(none.code, 4, none.stderr);
  });

  it('several accounts and no default: the error names --account and account use, and the fix works', async () => {
    const env = baseEnv(freshHome());
    for (const user of ['alice', 'bob', 'carol']) await signIn(env, user);
    assert.equal((await runCli(['logout', 'carol', '--no-browser'], env)).code, 0);
    const r = await runCli(['token'], env);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /2 accounts are signed in/);
    assert.match(r.stderr, /alice@example\.test/);
    assert.match(r.stderr, /bob@example\.test/);
    assert.match(r.stderr, /--account/);
    const fix = /fix: .*`(tokenloop account use [^`]+)`/.exec(r.stderr)?.[1];
    assert.ok(fix, r.stderr);
    assert.equal((await runCli(fix.split(' ').slice(1), env)).code, 0);
    assert.equal((await runCli(['token'], env)).code, 0);
  });

  it('S198 with nobody signed in, accounts --profile P and doctor with provider flags name the login that signs in there', async () => {
    const env = baseEnv(freshHome());
    await signIn(env, 'alice'); // saved as profile "default", now in use
    const add = ['profile', 'add', 'fab', '--issuer', p.url, '--client-id', 'other-app', '--scope', 'read'];
    assert.equal((await runCli(add, env)).code, 0);
    const accounts = await runCli(['accounts', '--profile', 'fab'], env);
    assert.equal(accounts.code, 0, accounts.stderr);
    assert.match(accounts.stderr, /`tokenloop login --profile fab`/, accounts.stderr);
    const doctor = await runCli(['doctor', '--issuer', p.url, '--client-id', 'other-app'], env);
    const line = /accounts: none signed in \(run `(tokenloop login [^`]+)`\)/.exec(
      doctor.stdout + doctor.stderr,
    )?.[1];
    assert.ok(line, doctor.stdout + doctor.stderr);
    assert.match(line, /--issuer \S+ --client-id other-app/);
  });

  it("tokenloop status shows each profile's accounts, tenant, scopes and token expiry", async () => {
    const env = baseEnv(freshHome());
    await signIn(env, 'alice');
    await signIn(env, 'bob');
    const status = await runCli(['status'], env);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^\* default \(in use\)/m);
    assert.match(status.stdout, new RegExp(`issuer ${p.url}`));
    assert.match(status.stdout, /bob@example\.test \(default\)/);
    assert.match(status.stdout, /alice@example\.test/);
    assert.match(status.stdout, /read.*expires in (59|60) min/);
    const json = await runCli(['status', '--json'], env);
    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as {
      profiles: {
        name: string;
        current: boolean;
        issuer: string;
        accounts: {
          username: string;
          default: boolean;
          tokens: { scopes: string[]; expiresAt: string }[];
        }[];
      }[];
    };
    const profile = parsed.profiles[0]!;
    assert.equal(profile.name, 'default');
    assert.equal(profile.current, true);
    assert.equal(profile.issuer, p.url);
    const bob = profile.accounts.find((a) => a.username === 'bob@example.test')!;
    assert.equal(bob.default, true);
    assert.ok(bob.tokens[0]!.scopes.includes('read'));
    assert.ok(Date.parse(bob.tokens[0]!.expiresAt) > Date.now() + 3_000_000);
    assert.doesNotMatch(json.stdout + status.stdout, /at-\d+-|rt-\d+-/, 'no token is shown');
  });
});
