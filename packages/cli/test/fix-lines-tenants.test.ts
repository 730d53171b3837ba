// Every `fix:` the CLI prints works when followed (support/fix-lines.ts): here the fixes for tenants — a one-off
// --tenant (S132: the profile is left as it was), a tenant-specific profile (S131), an account of another tenant
// than the authority names (S206). For S206 also with the provider given by flags: a token for another tenant
// than the authority names is refused (the library's issuer check, TenantMismatchError), and the CLI's message
// names the account's tenant and, in its `fix:` line, the command that signs the account in there. Followed as
// printed, that command works.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, startEmulator } from '@tokenloop/emulator';
import type { ScriptedProvider } from '../../tokenloop/test/support/scripted-provider.js';
import { baseEnv, freshHome, runCli } from './support/cli.js';
import { type Situation, everyFixWorksWhenFollowed } from './support/fix-lines.js';
import { TENANT_A, TENANT_B, startTenantBProvider } from './support/tenant-b-provider.js';
import { cli, defaultUser, peopleSignIn, savedProfile, signedIn } from './support/fix-world.js';

const CONTOSO = SAMPLE_IDS.contoso;

const situations: Situation[] = [
  {
    name: 'a one-off --tenant for an account of another tenant (S132: the fix leaves the profile as it was)',
    people: true,
    setup: (w) =>
      peopleSignIn(
        w,
        'alice@contoso.onmicrosoft.com',
        'carol@fabrikam.onmicrosoft.com',
        'bob@contoso.onmicrosoft.com',
      ),
    command: ['token', '--tenant', 'fabrikam.onmicrosoft.com', '--account', 'carol'],
    exit: 4,
    says: /no account "carol" is signed in for tenant fabrikam\.onmicrosoft\.com/,
    beforeFix: (w) => {
      w.env.TL_BROWSER_USER = 'carol@fabrikam.onmicrosoft.com'; // the person types her whole username
    },
    after: async (w) => {
      assert.equal(
        savedProfile(w, 'local')?.authority,
        `${w.em.url}/organizations`,
        'the profile keeps its authority',
      );
      assert.equal(await defaultUser(w), 'bob@contoso.onmicrosoft.com', 'and its default account');
      assert.equal(await defaultUser(w, '--account', 'alice'), 'alice@contoso.onmicrosoft.com');
    },
  },
  {
    name: 'S131 a tenant-specific profile named with --profile has two accounts of its tenant and no default',
    people: true,
    setup: async (w) => {
      await peopleSignIn(
        w,
        'alice@contoso.onmicrosoft.com',
        'bob@contoso.onmicrosoft.com',
        'carol@fabrikam.onmicrosoft.com',
      );
      await cli(
        w,
        'profile',
        'add',
        'contoso',
        '--authority',
        `${w.em.url}/${CONTOSO}`,
        '--client-id',
        SAMPLE_IDS.publicApp,
      );
    },
    command: ['token', '--profile', 'contoso'],
    exit: 2,
    says: /2 accounts are signed in \(alice@contoso\.onmicrosoft\.com, bob@contoso\.onmicrosoft\.com\) and none is the default/,
    after: async (w) => {
      assert.equal(
        await defaultUser(w),
        'carol@fabrikam.onmicrosoft.com',
        'the profile in use keeps its default',
      );
    },
  },
  {
    name: 'S132 several accounts of a one-off --tenant and no default there: --account, the profile left as it was',
    people: true,
    setup: (w) =>
      peopleSignIn(
        w,
        'alice@contoso.onmicrosoft.com',
        'bob@contoso.onmicrosoft.com',
        'carol@fabrikam.onmicrosoft.com',
      ),
    command: ['token', '--tenant', CONTOSO],
    exit: 2,
    says: /2 accounts are signed in[^]*fix: name one with --account: `tokenloop token --profile local --tenant [^`]* --account alice@contoso\.onmicrosoft\.com`/,
    retry: ['token', '--tenant', CONTOSO, '--account', 'alice'],
    after: async (w) => {
      assert.equal(savedProfile(w, 'local')?.authority, `${w.em.url}/organizations`);
      assert.equal(await defaultUser(w), 'carol@fabrikam.onmicrosoft.com', 'the default is as it was');
    },
  },
  {
    name: "S132 account use with a one-off --tenant is refused: the default is the profile's own",
    setup: signedIn,
    command: ['account', 'use', 'bob', '--tenant', 'contoso.onmicrosoft.com'],
    exit: 2,
    says: /account use sets the default account of profile "local"/,
    retry: ['account', 'use', 'bob'],
  },
  {
    name: "S206 a profile at tenant A and an account of tenant B: the fix signs it in at the account's own tenant",
    setup: async (w) => {
      const p = await startTenantBProvider();
      w.scripted = { p, next: 'carol' };
      await cli(
        w,
        'profile',
        'add',
        'tenant-a',
        '--authority',
        `${p.url}/${TENANT_A}`,
        '--client-id',
        p.clientId,
      );
    },
    command: ['login', '--device'],
    exit: 1,
    says: new RegExp(`the token is for tenant ${TENANT_B}, not for tenant ${TENANT_A}`),
    retry: ['token', '--tenant', TENANT_B],
    after: async (w) => {
      assert.equal(savedProfile(w, 'tenant-a')?.authority, `${w.scripted!.p.url}/${TENANT_A}`, 'S132: kept');
    },
  },
];

everyFixWorksWhenFollowed('tenants', situations);

describe('S206: a token for another tenant than the authority names', { timeout: 60_000 }, () => {
  let p: ScriptedProvider;
  before(async () => {
    p = await startTenantBProvider();
  });
  after(() => p.close());

  it('S206: login at tenant A for a user of tenant B fails with a fix naming --tenant B, and the fix works', async () => {
    const env = baseEnv(freshHome());
    const login = ['login', '--device', '--authority', `${p.url}/${TENANT_A}`, '--client-id', p.clientId];
    const failed = await runCli(login, env);
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(
      failed.stderr,
      new RegExp(`the token is for tenant ${TENANT_B}, not for tenant ${TENANT_A}`),
    );
    assert.doesNotMatch(failed.stderr, /eyJ|\n\s+at /, 'no token, no stack trace');
    const fixLine = failed.stderr.split('\n').find((l) => /^\s+fix: /.test(l));
    assert.ok(fixLine, `a fix line:\n${failed.stderr}`);
    const fix = /`(tokenloop [^`]+)`/.exec(fixLine)?.[1];
    assert.ok(fix, `the fix names a command: ${fixLine}`);
    assert.match(fix, new RegExp(`--tenant ${TENANT_B}(?: |$)`));
    // Followed as printed (its words, without a shell: none of its values needs quoting here).
    const followed = await runCli(fix.split(' ').slice(1), env);
    assert.equal(followed.code, 0, `the fix \`${fix}\` works:\n${followed.stderr}`);
    assert.match(followed.stdout + followed.stderr, /Signed in/);
  });
});

describe(
  'S206: Entra refuses a user of another tenant (AADSTS50020, the emulator as Entra)',
  { timeout: 60_000 },
  () => {
    let e: RunningEmulator;
    before(async () => {
      e = await startEmulator({ autoLogin: 'carol' }); // Carol belongs to Fabrikam
    });
    after(() => e.close());

    it("S206: login at Contoso's authority as Carol of Fabrikam: the fix signs her in at organizations, and works", async () => {
      const env = baseEnv(freshHome(), { BROWSER: join(import.meta.dirname, 'support', 'form-browser.mjs') });
      const login = [
        'login',
        '--authority',
        `${e.url}/${SAMPLE_IDS.contoso}`,
        '--client-id',
        SAMPLE_IDS.publicApp,
      ];
      const failed = await runCli(login, env);
      assert.equal(failed.code, 4, failed.stderr);
      assert.match(failed.stderr, /AADSTS50020/);
      const fixLine = failed.stderr.split('\n').find((l) => /^\s+fix: /.test(l));
      const fix = /`(tokenloop [^`]+)`/.exec(fixLine ?? '')?.[1];
      assert.ok(fix, `the fix names a command:\n${failed.stderr}`);
      assert.match(fix, /--tenant organizations(?: |$)/);
      const followed = await runCli(fix.split(' ').slice(1), env);
      assert.equal(followed.code, 0, `the fix \`${fix}\` works:\n${followed.stderr}`);
      assert.match(followed.stdout + followed.stderr, /Signed in as carol@fabrikam\.onmicrosoft\.com/);
    });
  },
);
