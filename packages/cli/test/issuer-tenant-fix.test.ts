// A token for another tenant than the authority names (S206): the sign-in is refused (the library's issuer check,
// TenantMismatchError), and the CLI's message names the account's tenant and, in its `fix:` line, the command that
// signs the account in there. Followed as printed, that command works. (cli-fix-sweep.test.ts follows the same
// fix from a saved profile.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { type RunningEmulator, SAMPLE_IDS, startEmulator } from '@tokenloop/emulator';
import type { ScriptedProvider } from '../../tokenloop/test/support/scripted-provider.js';
import { baseEnv, freshHome, runCli } from './support/cli.js';
import { TENANT_A, TENANT_B, startTenantBProvider } from './support/tenant-b-provider.js';

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
