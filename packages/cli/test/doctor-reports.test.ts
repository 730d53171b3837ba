// `tokenloop doctor` reports what it finds as checks: a missing configuration is a failed check (not a usage
// error); without a display it says browser sign-in needs one (keeping the flags it was given in its hint); a
// quarantined token cache is named.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, startEmulator } from '@tokenloop/emulator';
import { baseEnv, freshHome, runCli } from './support/cli.js';

describe('doctor reports', () => {
  let em: RunningEmulator;
  before(async () => {
    em = await startEmulator({ autoLogin: 'bob', settings: { deviceCodeInterval: 1 } });
  });
  after(() => em.close());

  it('doctor without any configuration reports what is missing (a failed check), not a usage error', async () => {
    const r = await runCli(['doctor'], baseEnv(freshHome()));
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /✗ configuration: no client id configured/);
    assert.match(r.stderr, /fix: .*tokenloop login --authority URL --client-id ID/);
    const json = await runCli(['doctor', '--json'], baseEnv(freshHome()));
    assert.equal((JSON.parse(json.stdout) as { ok: boolean }).ok, false);
  });

  it('doctor without a display says browser sign-in needs one, and names a quarantined cache', async () => {
    const home = freshHome();
    const env = baseEnv(home);
    await runCli(['profile', 'add', 'local', '--emulator', em.url], env);
    assert.equal((await runCli(['login', '--device'], env)).code, 0);
    writeFileSync(join(home, 'cache', 'tokens.cache'), 'not a cache');
    assert.equal((await runCli(['token'], env)).code, 4, 'the damaged cache is moved aside');
    const r = await runCli(['doctor'], env);
    assert.match(
      r.stderr,
      /no display here: `tokenloop login --profile local` prints the sign-in URL and a device code; .*`tokenloop login --profile local --browser`/,
    );
    // The hint keeps the flags doctor was given (loginCommand), as its fixes do: here a one-off --tenant.
    const tenant = await runCli(['doctor', '--tenant', 'contoso.onmicrosoft.com'], env);
    assert.match(
      tenant.stderr,
      /`tokenloop login --profile local --tenant contoso\.onmicrosoft\.com --browser`/,
      tenant.stderr,
    );
    assert.match(r.stderr, /✗ quarantined cache: .*tokens\.cache\.corrupt-/);
    const withDisplay = await runCli(['doctor'], baseEnv(home, { DISPLAY: ':0' }));
    assert.match(withDisplay.stderr, /browser sign-in and device code both available/);
  });
});
