// S130: a token is handed out only for the tenant the authority or --tenant names. Alice and Bob (Contoso) and
// Carol (Fabrikam) sign in on one emulator; then `token` runs for every authority kind (organizations, common,
// consumers, a tenant by id, a tenant by domain) × every way of choosing the account (the profile's default,
// --account NAME) and for --tenant on the organizations profile. Whenever a token comes out, its `tid` is the
// tenant asked for (any work or school tenant for organizations and common) and it is the account asked for;
// otherwise nothing comes out and the exit code says what to do (4: sign in). S131: `accounts`, `status`,
// `whoami` and `account use` know the same accounts of a profile as `token` does.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, startEmulator } from '@tokenloop/emulator';
import { type CliRun, baseEnv, freshHome, runCli } from './support/cli.js';

const FORM_BROWSER = join(import.meta.dirname, 'support', 'form-browser.mjs');
const CONTOSO = SAMPLE_IDS.contoso;
const FABRIKAM = SAMPLE_IDS.fabrikam;
const USERS = {
  alice: { username: 'alice@contoso.onmicrosoft.com', tid: CONTOSO },
  bob: { username: 'bob@contoso.onmicrosoft.com', tid: CONTOSO },
  carol: { username: 'carol@fabrikam.onmicrosoft.com', tid: FABRIKAM },
} as const;
type User = keyof typeof USERS;

/** What a token run printed, as far as a test may look at it: the token's tenant and the account (never the token). */
function tokenFacts(r: CliRun): { tid: unknown; username: unknown } {
  const out = JSON.parse(r.stdout) as { accessToken: string; account: { username: string } | null };
  const claims = JSON.parse(Buffer.from(out.accessToken.split('.')[1]!, 'base64url').toString('utf8')) as {
    tid?: unknown;
  };
  return { tid: claims.tid, username: out.account?.username };
}

/** Exit code and stderr of a run, for a failure message (stdout carries tokens: only its length). */
const shown = (r: CliRun) => `exit ${r.code}, stdout ${r.stdout.length} bytes, stderr: ${r.stderr}`;

describe('S130 a token is handed out only for the tenant the authority or --tenant names', () => {
  let em: RunningEmulator;
  let env: NodeJS.ProcessEnv;
  const homeIds: Partial<Record<User, string>> = {};
  /** Which tenants an authority's tenant segment admits (the requirement, stated for the sample directory). */
  const PROFILES: Record<string, { tenant: string; admits: (tid: string) => boolean }> = {
    orgs: { tenant: 'organizations', admits: () => true },
    common: { tenant: 'common', admits: () => true },
    consumers: { tenant: 'consumers', admits: () => false },
    'contoso-id': { tenant: CONTOSO, admits: (tid) => tid === CONTOSO },
    'fabrikam-id': { tenant: FABRIKAM, admits: (tid) => tid === FABRIKAM },
    // A domain's tenant id is not known offline: only accounts signed in through it (none yet) are its own.
    'fabrikam-domain': { tenant: 'fabrikam.onmicrosoft.com', admits: () => false },
  };

  before(async () => {
    em = await startEmulator({ settings: { deviceCodeInterval: 1 } });
    env = baseEnv(freshHome(), { BROWSER: FORM_BROWSER });
    const ok = async (...args: string[]) => {
      const r = await runCli(args, env);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      return r;
    };
    for (const [name, p] of Object.entries(PROFILES))
      await ok(
        'profile',
        'add',
        name,
        '--authority',
        `${em.url}/${p.tenant}`,
        '--client-id',
        SAMPLE_IDS.publicApp,
      );
    await ok('profile', 'use', 'orgs');
    for (const user of ['alice', 'carol', 'bob'] as const)
      await ok('login', '--login-hint', USERS[user].username);
    const listed = JSON.parse((await ok('accounts', '--json')).stdout) as {
      username: string;
      homeAccountId: string;
    }[];
    for (const user of Object.keys(USERS) as User[])
      homeIds[user] = listed.find((a) => a.username === USERS[user].username)!.homeAccountId;
    // Every profile's saved default is Bob (as a profile re-pointed at another tenant may keep it).
    const file = join(env.TOKENLOOP_HOME!, 'config.json');
    const config = JSON.parse(readFileSync(file, 'utf8')) as {
      profiles: Record<string, { account?: string }>;
    };
    for (const p of Object.values(config.profiles)) p.account = homeIds.bob;
    writeFileSync(file, JSON.stringify(config));
  });
  after(() => em?.close());

  /** What `token` must do for an authority admitting `admits`, choosing `chosen` (undefined: the default). */
  function expected(admits: (tid: string) => boolean, chosen: User | undefined): User | 2 | 4 {
    if (chosen !== undefined) return admits(USERS[chosen].tid) ? chosen : 4;
    if (admits(USERS.bob.tid)) return 'bob'; // the profile's default, usable here
    const usable = (Object.keys(USERS) as User[]).filter((u) => admits(USERS[u].tid));
    return usable.length === 1 ? usable[0]! : usable.length === 0 ? 4 : 2;
  }

  async function check(args: string[], tenantAdmits: (tid: string) => boolean, chosen: User | undefined) {
    const r = await runCli(['token', '--format', 'json', ...args], env);
    const want = expected(tenantAdmits, chosen);
    const label = `token ${args.join(' ')}`;
    if (typeof want === 'number') {
      assert.equal(r.code, want, `${label}: ${shown(r)}`);
      assert.equal(r.stdout, '', `${label}: no token`);
      assert.doesNotMatch(r.stderr, /\n\s+at |eyJ/, `${label}: no stack, no token`);
      if (want === 4) assert.match(r.stderr, /fix: .*`tokenloop login[^`]*`/, `${label}: how to sign in`);
      return;
    }
    assert.equal(r.code, 0, `${label}: ${shown(r)}`);
    const facts = tokenFacts(r);
    assert.ok(tenantAdmits(String(facts.tid)), `${label}: a token of tenant ${String(facts.tid)}`);
    assert.equal(facts.tid, USERS[want].tid, `${label}: the tenant of ${want}`);
    assert.equal(facts.username, USERS[want].username, `${label}: the account asked for`);
  }

  const choices: (User | undefined)[] = [undefined, 'alice', 'bob', 'carol'];
  const accountArgs = (c: User | undefined) => (c === undefined ? [] : ['--account', c]);

  it('S130 every authority kind × the default account or --account NAME: only tokens of the tenant the authority names', async () => {
    const runs: Promise<void>[] = [];
    for (const [profile, p] of Object.entries(PROFILES))
      for (const c of choices) runs.push(check(['--profile', profile, ...accountArgs(c)], p.admits, c));
    await Promise.all(runs);
  });

  it('S130 --tenant on an organizations profile whose default is Bob: only tokens of that tenant', async () => {
    const tenants: [string, (tid: string) => boolean][] = [
      [FABRIKAM, (tid) => tid === FABRIKAM],
      [CONTOSO, (tid) => tid === CONTOSO],
      ['fabrikam.onmicrosoft.com', () => false],
    ];
    const runs: Promise<void>[] = [];
    for (const [tenant, admits] of tenants)
      for (const c of choices)
        runs.push(check(['--profile', 'orgs', '--tenant', tenant, ...accountArgs(c)], admits, c));
    await Promise.all(runs);
  });

  it('S130 --force-refresh with an account of another tenant asks for a sign-in, never a refresh there', async () => {
    em.resetStats();
    for (const args of [
      ['--profile', 'fabrikam-domain', '--force-refresh'],
      ['--profile', 'orgs', '--tenant', 'fabrikam.onmicrosoft.com', '--force-refresh'],
      ['--profile', 'contoso-id', '--account', 'carol', '--force-refresh'],
    ]) {
      const r = await runCli(['token', ...args], env);
      assert.equal(r.code, 4, `token ${args.join(' ')}: ${shown(r)}`);
      assert.doesNotMatch(
        r.stderr,
        /issuer/i,
        'no issuer validation error: nothing was asked of the provider',
      );
    }
    assert.deepEqual(em.stats().token_requests, {}, 'no token request');
  });

  it('S131 accounts, status, whoami and account use know the accounts token can use in a profile, and no others', async () => {
    const usernames = (json: string) =>
      (JSON.parse(json) as { username: string; default: boolean }[]).map(
        (a) => `${a.username}${a.default ? '*' : ''}`,
      );
    const listed = async (...args: string[]) => {
      const r = await runCli(['accounts', '--json', ...args], env);
      assert.equal(r.code, 0, r.stderr);
      return usernames(r.stdout).sort();
    };
    assert.deepEqual(await listed('--profile', 'fabrikam-id'), [`${USERS.carol.username}*`]);
    assert.deepEqual(await listed('--profile', 'contoso-id'), [
      USERS.alice.username,
      `${USERS.bob.username}*`,
    ]);
    assert.deepEqual(await listed('--profile', 'consumers'), []);
    assert.deepEqual(await listed('--profile', 'orgs', '--tenant', FABRIKAM), [`${USERS.carol.username}*`]);
    const text = await runCli(['accounts', '--profile', 'contoso-id'], env);
    assert.doesNotMatch(text.stdout, /carol/);
    assert.match(
      text.stderr,
      /`tokenloop account use NAME --profile contoso-id`/,
      'how to switch, in that profile',
    );

    const status = await runCli(['status', '--json'], env);
    assert.equal(status.code, 0, status.stderr);
    const views = (
      JSON.parse(status.stdout) as {
        profiles: { name: string; accounts: { username: string; default: boolean }[] }[];
      }
    ).profiles;
    for (const [name, p] of Object.entries(PROFILES)) {
      const view = views.find((v) => v.name === name)!;
      const want = (Object.keys(USERS) as User[]).filter((u) => p.admits(USERS[u].tid));
      assert.deepEqual(
        view.accounts.map((a) => a.username).sort(),
        want.map((u) => USERS[u].username).sort(),
        `status: ${name}`,
      );
      const byDefault = expected(p.admits, undefined);
      assert.deepEqual(
        view.accounts.filter((a) => a.default).map((a) => a.username),
        typeof byDefault === 'string' ? [USERS[byDefault].username] : [],
        `status: the default of ${name} is the account token uses`,
      );
    }

    // status --profile NAME: that profile, marked in use only when it is (orgs is).
    const one = await runCli(['status', '--profile', 'fabrikam-id'], env);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /^ {2}fabrikam-id\n/);
    assert.doesNotMatch(one.stdout, /in use|contoso-id|orgs/);
    assert.match((await runCli(['status', '--profile', 'orgs'], env)).stdout, /^\* orgs \(in use\)\n/);

    const whoami = await runCli(['whoami', '--profile', 'fabrikam-domain'], env);
    assert.equal(whoami.code, 4, whoami.stderr);
    const mine = await runCli(['whoami', '--profile', 'fabrikam-id', '--json'], env);
    assert.equal(mine.code, 0, mine.stderr);
    assert.equal(
      (JSON.parse(mine.stdout) as { userPrincipalName: string }).userPrincipalName,
      USERS.carol.username,
    );

    const config = () => readFileSync(join(env.TOKENLOOP_HOME!, 'config.json'), 'utf8');
    const before = config();
    const use = await runCli(['account', 'use', 'alice', '--profile', 'fabrikam-id'], env);
    assert.equal(use.code, 4, use.stderr);
    assert.match(use.stderr, /no account "alice" is signed in for tenant/);
    assert.equal(config(), before, 'no profile changed');
  });

  it('S130 once Carol signs in through the domain authority, the domain profile has her, and only her', async () => {
    const login = await runCli(
      ['login', '--profile', 'fabrikam-domain', '--login-hint', USERS.carol.username],
      env,
    );
    assert.equal(login.code, 0, login.stderr);
    const domain = PROFILES['fabrikam-domain']!.tenant;
    for (const c of choices)
      await check(['--profile', 'fabrikam-domain', ...accountArgs(c)], (tid) => tid === FABRIKAM, c);
    // ... also after her tokens were renewed through the organizations profile.
    const renewed = await runCli(
      ['token', '--profile', 'orgs', '--account', 'carol', '--force-refresh'],
      env,
    );
    assert.equal(renewed.code, 0, renewed.stderr);
    await check(['--profile', 'orgs', '--tenant', domain], (tid) => tid === FABRIKAM, undefined);
  });
});
