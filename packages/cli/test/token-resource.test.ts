// `token --resource URI` asks for `URI/.default` with the resource as given, as the Azure CLI does
// (`az account get-access-token --resource https://management.core.windows.net/` asks for
// `https://management.core.windows.net//.default`): Azure Resource Manager's token then has the `aud` its
// clients expect, the trailing slash kept.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, startEmulator } from '@tokenloop/emulator';
import { baseEnv, freshHome, runCli } from './support/cli.js';

/** The claims of a token, as `tokenloop decode --json` prints them. */
async function claimsOf(token: string, env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  const r = await runCli(['decode', '--json', '-'], env, token);
  assert.equal(r.code, 0, r.stderr);
  const decoded = JSON.parse(r.stdout) as {
    payload?: Record<string, unknown>;
    claims?: Record<string, unknown>;
  };
  return decoded.payload ?? decoded.claims ?? {};
}

describe('token --resource keeps the resource as given', () => {
  let em: RunningEmulator;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    em = await startEmulator({ autoLogin: 'bob', settings: { deviceCodeInterval: 1 } });
    env = baseEnv(freshHome());
    assert.equal((await runCli(['profile', 'add', 'local', '--emulator', em.url], env)).code, 0);
    assert.equal((await runCli(['login', '--device'], env)).code, 0);
  });
  after(() => em.close());

  it('Azure Resource Manager with its trailing slash: the scope asked and aud keep it', async () => {
    const r = await runCli(['token', '--resource', 'https://management.core.windows.net/'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await claimsOf(r.stdout.trim(), env)).aud, 'https://management.core.windows.net/');
    const json = await runCli(
      ['token', '--resource', 'https://management.core.windows.net/', '--format', 'json'],
      env,
    );
    assert.equal(json.code, 0, json.stderr);
    const { scopes } = JSON.parse(json.stdout) as { scopes: string[] };
    assert.ok(
      scopes.includes('https://management.core.windows.net//.default'),
      `the resource as given, then /.default (as az does): ${scopes.join(' ')}`,
    );
  });

  it('a resource without a trailing slash: aud is as given', async () => {
    const r = await runCli(['token', '--resource', 'https://graph.microsoft.com'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await claimsOf(r.stdout.trim(), env)).aud, 'https://graph.microsoft.com');
  });
});
