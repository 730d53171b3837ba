// One JSON shape: camelCase names, times as ISO 8601 in fields ending in `At`, one account
// shape everywhere; `token --format json` also carries the fields tools that parse `az account
// get-access-token` read (accessToken, expiresOn in az's local format, expires_on in epoch seconds, tokenType,
// tenant), so scripts written for az can switch.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, startEmulator } from '@tokenloop/emulator';
import { baseEnv, freshHome, runCli } from './support/cli.js';

const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

/** Every key of a JSON value with its path; az's `expires_on` is the one name kept as az spells it. */
function keys(value: unknown, path = '$'): { path: string; key: string; value: unknown }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keys(v, `${path}[${i}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => [{ path, key: k, value: v }, ...keys(v, `${path}.${k}`)]);
}
const ACCOUNT_KEYS = ['environment', 'homeAccountId', 'localAccountId', 'name', 'tenantId', 'username'];

describe('JSON output has one documented shape', () => {
  let em: RunningEmulator;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    em = await startEmulator({ autoLogin: 'bob', settings: { deviceCodeInterval: 1 } });
    env = baseEnv(freshHome());
    assert.equal((await runCli(['profile', 'add', 'local', '--emulator', em.url], env)).code, 0);
  });
  after(() => em.close());

  it('token --format json carries the fields of az account get-access-token', async () => {
    const login = await runCli(['login', '--device'], env);
    assert.equal(login.code, 0, login.stderr);
    const r = await runCli(['token', '--format', 'json'], env);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    const raw = (await runCli(['token'], env)).stdout.trim();
    const claims = claimsOf(raw);
    assert.equal(json.accessToken, raw);
    assert.equal(json.tokenType, 'Bearer');
    assert.equal(json.tenant, claims.tid);
    // The expiry the provider stated (expires_in on receipt): within a second of the token's own exp.
    const near = (seconds: number) => Math.abs(seconds - (claims.exp as number)) <= 1;
    assert.ok(
      Number.isInteger(json.expires_on) && near(json.expires_on as number),
      'epoch seconds, a number',
    );
    assert.match(json.expiresOn as string, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/, "az's format");
    // az writes expiresOn in local time: read back as local time, it is the same moment.
    const [date, time] = (json.expiresOn as string).split(' ');
    const [y, mo, d] = date!.split('-').map(Number);
    const [h, mi, s] = time!.split(':').map(Number);
    assert.equal(new Date(y!, mo! - 1, d!, h!, mi!, Math.floor(s!)).getTime() / 1000, json.expires_on);
    assert.equal(Math.floor(Date.parse(json.expiresAt as string) / 1000), json.expires_on);
    assert.ok((json.expiresIn as number) > 3000);
    assert.deepEqual(Object.keys(json.account as object).sort(), ACCOUNT_KEYS);
    assert.equal(json.fromCache, true);
  });

  it('login, token, accounts, logout and status: camelCase names, ISO times in …At, one account shape', async () => {
    const outputs: Record<string, unknown> = {};
    const json = async (name: string, args: string[]) => {
      const r = await runCli(args, env);
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      outputs[name] = JSON.parse(r.stdout);
    };
    await json('login', ['login', '--device', '--json']);
    await json('token', ['token', '--format', 'json']);
    await json('accounts', ['accounts', '--json']);
    await json('status', ['status', '--json']);
    await json('profiles', ['profile', 'list', '--json']);
    await json('logout', ['logout', '--no-browser', '--json']);

    const login = outputs.login as { account: object; expiresAt: string; method: string; profile: string };
    assert.equal(login.method, 'deviceCode');
    assert.equal(login.profile, 'local');
    assert.deepEqual(Object.keys(login.account).sort(), ACCOUNT_KEYS);
    const accounts = outputs.accounts as Record<string, unknown>[];
    assert.deepEqual(Object.keys(accounts[0]!).sort(), [...ACCOUNT_KEYS, 'default'].sort());
    // logout names what it signed out with the same account object `accounts --json` prints, not a bare name.
    const logout = outputs.logout as {
      signedOut: { account: { username: string; homeAccountId: string }; endSessionUrl: string }[];
    };
    assert.deepEqual(Object.keys(logout.signedOut[0]!.account).sort(), ACCOUNT_KEYS);
    assert.equal(logout.signedOut[0]!.account.username, 'bob@contoso.onmicrosoft.com');
    assert.equal(logout.signedOut[0]!.account.homeAccountId, accounts[0]!.homeAccountId);
    assert.match(logout.signedOut[0]!.endSessionUrl, /\/oauth2\/v2\.0\/logout\?/);

    for (const [command, value] of Object.entries(outputs))
      for (const { path, key, value: v } of keys(value)) {
        if (path.startsWith('$.profiles') && command === 'profiles' && path.split('.').length === 2) continue; // profile names are the user's
        if (key === 'expires_on' && command === 'token') continue; // az's name, kept for az's readers
        assert.match(key, /^[a-z][a-zA-Z0-9]*$/, `${command}: ${path}.${key} is camelCase`);
        if (/At$/.test(key) && v !== null)
          assert.ok(
            typeof v === 'string' && new Date(v).toISOString() === v,
            `${command}: ${path}.${key} is an ISO 8601 time (${String(v)})`,
          );
        assert.ok(
          !/^(expires_on|expiresOn)$/.test(key) || command === 'token',
          `${command}: ${key}: times end in At`,
        );
      }
  });
});
