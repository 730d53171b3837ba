// tokenloop/azure's createCliCredential: what a real `tokenloop login` (the command line, run with a fresh
// TOKENLOOP_HOME) stored, read in-process — the profile in use, its account, the shared encrypted token cache —
// and CredentialUnavailableError, with a fix that works, when nobody is signed in. And the sweep: where the
// command keeps its state and how its profiles are read is said in one place, tokenloop/cli-state.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, startEmulator } from '@tokenloop/emulator';
import { CredentialUnavailableError, createCliCredential } from 'tokenloop/azure';
import { baseEnv, freshHome, runCli } from '../../../cli/test/support/cli.js';

const GRAPH = 'https://graph.microsoft.com/.default';
const ROOT = join(import.meta.dirname, '..', '..', '..', '..');

const tokenRequests = (em: RunningEmulator) =>
  Object.values(em.stats().token_requests).reduce(
    (n, byClient) => n + (byClient[SAMPLE_IDS.publicApp] ?? 0),
    0,
  );

async function unavailable(promise: Promise<unknown>, message: RegExp): Promise<string> {
  let said = '';
  await assert.rejects(promise, (err: Error) => {
    assert.ok(err instanceof CredentialUnavailableError, String(err));
    assert.equal(err.name, 'CredentialUnavailableError');
    assert.match(err.message, message);
    said = err.message;
    return true;
  });
  return said;
}

/** The command a message's fix names (`…: \`tokenloop …\``), as arguments. */
function fixOf(message: string): string[] {
  const command = /`tokenloop ([^`]+)`/.exec(message)?.[1];
  assert.ok(command, `a fix in: ${message}`);
  return command.split(' ');
}

describe('tokenloop/azure createCliCredential, after a real tokenloop login', () => {
  let em: RunningEmulator;
  /** A home where `tokenloop login` signed alice in (profile "default", put in use by the login). */
  let env: NodeJS.ProcessEnv;
  before(async () => {
    em = await startEmulator({ autoLogin: 'alice', settings: { deviceCodeInterval: 1 } });
    env = baseEnv(freshHome());
    const login = await runCli(
      ['login', '--device', '--authority', `${em.url}/organizations`, '--client-id', SAMPLE_IDS.publicApp],
      env,
    );
    assert.equal(login.code, 0, login.stderr);
  });
  after(() => em?.close());

  it('S106 nobody signed in (a fresh TOKENLOOP_HOME): CredentialUnavailableError naming where it looked and `tokenloop login`', async () => {
    const home = freshHome();
    const credential = createCliCredential({ env: baseEnv(home) });
    await unavailable(
      credential.getToken(GRAPH),
      /^tokenloop: nobody has signed in with `tokenloop login` \(no profile in .+config\.json\) — sign in: `tokenloop login --authority URL --client-id ID`$/,
    );
    assert.ok(!readdirSync(home).length, 'it created nothing');
    await credential.close();
  });

  it('S106 the profile: the option or TOKENLOOP_PROFILE names it; a missing one is unavailable, named', async () => {
    const named = createCliCredential({ env, profile: 'default' });
    assert.ok((await named.getToken(GRAPH)).token);
    const missing = createCliCredential({ env: { ...env, TOKENLOOP_PROFILE: 'home' } });
    await unavailable(
      missing.getToken(GRAPH),
      /there is no tokenloop profile named "home" in .+config\.json/,
    );
    await named.close();
    await missing.close();
  });

  it('S106 after `tokenloop login`: the token `tokenloop token` prints, from the same cache, with no token request; logged out: unavailable, and its fix signs in again', async () => {
    const printed = await runCli(['token', '--resource', 'https://graph.microsoft.com'], env);
    assert.equal(printed.code, 0, printed.stderr);
    const credential = createCliCredential({ env });
    const before = tokenRequests(em);
    const token = await credential.getToken(GRAPH);
    assert.equal(token.token, printed.stdout.trim(), "the command's cached token");
    assert.equal(token.tokenType, 'Bearer');
    assert.ok(
      token.expiresOnTimestamp > Date.now() && token.refreshAfterTimestamp <= token.expiresOnTimestamp,
    );
    assert.equal((await credential.getToken([GRAPH])).token, token.token);
    assert.equal(tokenRequests(em), before, 'served from the cache');
    // Another process (the command) signs out: the credential sees it on its next call.
    assert.equal((await runCli(['logout'], env)).code, 0);
    const said = await unavailable(
      credential.getToken(GRAPH),
      /^tokenloop: nobody is signed in with tokenloop profile "default" .+ — sign in: `tokenloop login --profile default`$/,
    );
    const again = await runCli([...fixOf(said), '--device'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.ok((await credential.getToken(GRAPH)).token.length > 0, 'the fix worked');
    await credential.close();
  });

  it('S106 sweep: only tokenloop/cli-state says where the command keeps its state and reads its profiles', () => {
    // Code (comments removed) that names the state's files or the variables that place or choose them.
    const RULE =
      /\benv\s*(\.|\[\s*['"])(TOKENLOOP_HOME|TOKENLOOP_PROFILE|XDG_CONFIG_HOME|XDG_CACHE_HOME|XDG_DATA_HOME)\b|['"](config\.json|tokens\.cache)['"]/;
    const home = join(ROOT, 'packages', 'tokenloop', 'src', 'cli-state');
    const offenders: string[] = [];
    // The emulator is left out on purpose: it shares no code with the library and keeps its own data folder.
    for (const pkg of ['tokenloop', 'cli', 'web']) {
      const src = join(ROOT, 'packages', pkg, 'src');
      for (const file of readdirSync(src, { recursive: true }).map(String)) {
        const path = join(src, file);
        if (!file.endsWith('.ts') || path.startsWith(home)) continue;
        const code = readFileSync(path, 'utf8')
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
        if (RULE.test(code)) offenders.push(relative(ROOT, path));
      }
    }
    assert.deepEqual(offenders, []);
  });
});
