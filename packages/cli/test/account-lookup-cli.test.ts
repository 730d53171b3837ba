// The command line names accounts as a person types them (S71): `--account` and `logout ACCOUNT` take an account
// id or a username that must name exactly one signed-in account; against a scripted provider that lets any
// user pick any preferred_username.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type ScriptedProvider,
  startScriptedProvider,
} from '../../tokenloop/test/support/scripted-provider.js';
import { baseEnv, freshHome, runCli } from './support/cli.js';

describe('S71 the CLI names accounts by a typed username or id', () => {
  let p: ScriptedProvider;
  before(async () => {
    p = await startScriptedProvider();
  });
  after(() => p?.close());
  const provider = () => ['--issuer', p.url, '--client-id', p.clientId];
  const flags = () => [...provider(), '--scope', 'read'];

  async function signIn(env: NodeJS.ProcessEnv, claims: Record<string, unknown>): Promise<void> {
    const idToken = await p.idToken(claims);
    p.on('/token', async () => ({ body: await p.tokenResponse({ id_token: idToken }) }));
    try {
      const r = await runCli(['login', '--device', ...flags()], env);
      assert.equal(r.code, 0, r.stderr);
    } finally {
      p.on('/token', undefined);
    }
  }
  const accountOf = (stdout: string) =>
    (JSON.parse(stdout) as { account: { homeAccountId: string } }).account.homeAccountId;

  it('S71 token --account: a username in any case or an id names that account; an unknown name is sign-in required, named', async () => {
    const env = baseEnv(freshHome());
    await signIn(env, { sub: 'a-1', preferred_username: 'alice@example.test' });
    await signIn(env, { sub: 'b-1', preferred_username: 'bob@example.test' });
    const byName = await runCli(
      ['token', ...flags(), '--format', 'json', '--account', 'ALICE@example.test'],
      env,
    );
    assert.equal(byName.code, 0, byName.stderr);
    assert.equal(accountOf(byName.stdout), `a-1@${p.url}`);
    const byId = await runCli(['token', ...flags(), '--format', 'json', '--account', `b-1@${p.url}`], env);
    assert.equal(byId.code, 0, byId.stderr);
    assert.equal(accountOf(byId.stdout), `b-1@${p.url}`);

    const unknown = await runCli(['token', ...flags(), '--account', 'carol@example.test'], env);
    assert.equal(unknown.code, 4, 'sign-in required');
    assert.ok(unknown.stdout === '', 'nothing on stdout');
    assert.match(unknown.stderr, /sign-in required: no account "carol@example\.test" is signed in here/);
    assert.match(
      unknown.stderr,
      /fix: Sign in as "carol@example\.test" first\. Run `tokenloop login[^`]* --login-hint carol@example\.test`\./,
    );
    // An id is looked up by its exact key: another case is another account.
    const otherCase = await runCli(['token', ...flags(), '--account', `B-1@${p.url}`], env);
    assert.equal(otherCase.code, 4, otherCase.stderr);
  });

  it('S71 two accounts with one username: token, whoami and logout refuse and list both; the printed fix works', async () => {
    const env = baseEnv(freshHome());
    await signIn(env, { sub: 'a-1', preferred_username: 'alice@example.test' });
    await signIn(env, { sub: 'm-1', preferred_username: 'Alice@example.test' });
    for (const args of [
      ['token', ...flags(), '--account', 'alice@example.test'],
      ['whoami', ...provider(), '--account', 'alice@example.test'],
      ['logout', 'alice@example.test', '--no-browser', ...provider()],
    ]) {
      const r = await runCli(args, env);
      assert.equal(r.code, 2, `${args[0]}: ${r.stderr}`);
      assert.ok(r.stdout === '', 'nothing on stdout');
      assert.match(r.stderr, /2 signed-in accounts are called "alice@example\.test"/);
      assert.match(r.stderr, new RegExp(`"alice@example\\.test" \\(id a-1@${p.url}\\)`));
      assert.match(r.stderr, new RegExp(`"Alice@example\\.test" \\(id m-1@${p.url}\\)`));
      assert.match(r.stderr, /fix|hint/);
    }
    assert.equal(
      (await runCli(['accounts', '--json', ...provider()], env)).stdout.split('homeAccountId').length - 1,
      2,
    );
    // The fix: name one by its id.
    const fixed = await runCli(['token', ...flags(), '--format', 'json', '--account', `m-1@${p.url}`], env);
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.equal(accountOf(fixed.stdout), `m-1@${p.url}`);
    const out = await runCli(['logout', `m-1@${p.url}`, '--no-browser', ...provider()], env);
    assert.equal(out.code, 0, out.stderr);
    const left = JSON.parse((await runCli(['accounts', '--json', ...provider()], env)).stdout) as {
      homeAccountId: string;
    }[];
    assert.deepEqual(
      left.map((a) => a.homeAccountId),
      [`a-1@${p.url}`],
    );
    const none = await runCli(['logout', 'nobody@example.test', '--no-browser', ...provider()], env);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no signed-in account matches "nobody@example\.test"/);
  });
});
