// `tokenloop status` reads only the cache: it knows a refresh token is kept, not whether the provider still
// honours it. The emulator keeps refresh tokens in memory, so a restart voids them: status must not promise
// silent renewal ("yes"), and the renewal that finds the token void says to sign in again with the login that
// fixes it (docs/cli.md, docs/emulator-fidelity.md).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { type RunningEmulator, startEmulator } from '@tokenloop/emulator';
import { baseEnv, freshHome, runCli, tempDir } from './support/cli.js';

describe('status: a cached refresh token, and an emulator restart', () => {
  let em: RunningEmulator | undefined;
  after(() => em?.close());

  it('status says the refresh token is cached (not that renewal will work); after a restart renewal asks for sign-in', async () => {
    const dataDir = tempDir('tl-status-rt-data-'); // the same signing keys across the restart
    em = await startEmulator({ autoLogin: 'bob', dataDir, settings: { deviceCodeInterval: 1 } });
    const port = Number(new URL(em.url).port);
    const env = baseEnv(freshHome());
    assert.equal((await runCli(['profile', 'add', 'local', '--emulator', em.url], env)).code, 0);
    const login = await runCli(['login', '--device'], env);
    assert.equal(login.code, 0, login.stderr);

    await em.close();
    em = await startEmulator({ autoLogin: 'bob', dataDir, port });

    const status = await runCli(['status'], env);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout + status.stderr, /refresh token: cached \(/);
    assert.doesNotMatch(status.stdout + status.stderr, /refresh token: yes/);

    const renewed = await runCli(['token', '--force-refresh'], env);
    assert.equal(renewed.code, 4, renewed.stderr);
    assert.match(renewed.stderr, /sign-in required: invalid_grant: AADSTS9002313/);
    assert.match(
      renewed.stderr,
      /\n {2}fix: .*Run `tokenloop login --profile local --login-hint bob@contoso\.onmicrosoft\.com`\./,
    );
    assert.equal(renewed.stdout, '', 'no token printed');
  });
});
