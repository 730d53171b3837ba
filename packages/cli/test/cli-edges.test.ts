// The smaller edges of issue 14 (finding 7), each as a user met it: a closed pipe, conflicting flags, the
// https rule, decode of a header, doctor without configuration or display and with a quarantined cache, a
// configuration of a newer version, the throttling wait, the emulator banner, and --help's wording.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, startEmulator } from '@tokenloop/emulator';
import type { Command } from 'commander';
import { BIN, baseEnv, freshHome, runCli } from './support/cli.js';

describe('smaller edges', () => {
  let em: RunningEmulator;
  before(async () => {
    em = await startEmulator({ autoLogin: 'bob', settings: { deviceCodeInterval: 1 } });
  });
  after(() => em.close());

  it('a closed pipe ends quietly: tokenloop --help | true', () => {
    for (const args of ['--help', 'completion bash', 'emulator --help']) {
      const r = spawnSync('sh', ['-c', `"$NODE" "$BIN" ${args} 2>"$ERR_FILE" | true; cat "$ERR_FILE"`], {
        env: { ...process.env, NODE: process.execPath, BIN, ERR_FILE: join(freshHome(), 'stderr') },
        encoding: 'utf8',
      });
      assert.equal(r.stdout, '', `${args}: nothing on stderr, no EPIPE stack trace`);
    }
  });

  it('--authority and --issuer together are refused, as profile add refuses them', async () => {
    const r = await runCli(
      ['token', '--authority', `${em.url}/organizations`, '--issuer', em.url, '--client-id', 'x'],
      baseEnv(freshHome()),
    );
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /either --authority .* or --issuer/);
  });

  it('the https rule says what the CLI can do, not a library option it has no flag for', async () => {
    const r = await runCli(
      ['token', '--authority', 'http://login.example.com/common', '--client-id', 'x'],
      baseEnv(freshHome()),
    );
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /https/);
    assert.doesNotMatch(r.stderr, /dangerouslyAllowInsecureHttp|http\.\w+ option/);
    assert.match(r.stderr, /fix: .*https:\/\/login\.example\.com\/common/);
  });

  it('decode reads what token --format header prints', async () => {
    const env = baseEnv(freshHome());
    await runCli(['profile', 'add', 'local', '--emulator', em.url], env);
    assert.equal((await runCli(['login', '--device'], env)).code, 0);
    const header = (await runCli(['token', '--format', 'header'], env)).stdout;
    const r = await runCli(['decode', '-'], env, header);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /aud: "https:\/\/graph\.microsoft\.com"/);
    const arg = await runCli(['decode', header.trim()], env);
    assert.equal(arg.code, 0, arg.stderr);
  });

  it('decode - with nothing on standard input says the input was empty', async () => {
    const r = await runCli(['decode', '-'], baseEnv(freshHome()), '');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /standard input was empty/);
    assert.doesNotMatch(r.stderr, /pass a token or "-"/);
  });

  it('profile add NAME --emulator again keeps the default account; another provider drops it', async () => {
    const env = baseEnv(freshHome());
    const ok = async (...args: string[]) => assert.equal((await runCli(args, env)).code, 0, args.join(' '));
    await ok('profile', 'add', 'local', '--emulator', em.url);
    await ok('login', '--device');
    const saved = async () =>
      (
        JSON.parse((await runCli(['profile', 'list', '--json'], env)).stdout) as {
          profiles: Record<string, { account?: string }>;
        }
      ).profiles.local?.account;
    const account = await saved();
    assert.ok(account, 'the login made bob the default');
    await ok('profile', 'add', 'local', '--emulator', em.url);
    assert.equal(await saved(), account, 'the same emulator: the same default');
    await ok('profile', 'add', 'local', '--emulator', em.url.replace('127.0.0.1', 'localhost'));
    assert.equal(await saved(), undefined, 'another provider: no default carried over');
  });

  it('profile remove names the command that signs its accounts out, and that command works', async () => {
    const env = baseEnv(freshHome());
    assert.equal((await runCli(['profile', 'add', 'local', '--emulator', em.url], env)).code, 0);
    assert.equal((await runCli(['login', '--device'], env)).code, 0);
    const removed = await runCli(['profile', 'remove', 'local'], env);
    assert.equal(removed.code, 0, removed.stderr);
    assert.doesNotMatch(removed.stderr, /with it/);
    const command = /`tokenloop (logout --all [^`]+)`/.exec(removed.stderr)?.[1];
    assert.ok(command, removed.stderr);
    const r = spawnSync('sh', ['-c', `"$NODE" "$BIN" ${command} --no-browser`], {
      env: { ...env, NODE: process.execPath, BIN },
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /Signed out bob@contoso\.onmicrosoft\.com/);
    const again = await runCli(['profile', 'add', 'local', '--emulator', em.url], env);
    assert.equal(again.code, 0);
    assert.equal((await runCli(['token'], env)).code, 4, 'nobody is signed in any more');
    const none = await runCli(['profile', 'remove', 'local'], env);
    assert.doesNotMatch(none.stderr, /logout/, 'no accounts left: nothing to sign out');
  });

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

  it('a configuration written by a newer tokenloop says so', async () => {
    const home = freshHome();
    writeFileSync(join(home, 'config.json'), JSON.stringify({ version: 2, profiles: {} }), { mode: 0o600 });
    const r = await runCli(['token'], baseEnv(home));
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /written by a newer tokenloop \(configuration version 2\)/);
    assert.doesNotMatch(r.stderr, /not a tokenloop configuration/);
  });

  it('throttling (429) says how long to wait, from Retry-After', async () => {
    const env = baseEnv(freshHome());
    await runCli(['profile', 'add', 'local', '--emulator', em.url], env);
    assert.equal((await runCli(['login', '--device'], env)).code, 0);
    em.setScenarios({ user: 'bob' }, { throttleSeconds: 7 });
    try {
      const r = await runCli(['token', '--force-refresh'], env);
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /try again in 7 s/i);
    } finally {
      em.setScenarios({ user: 'bob' }, {});
    }
  });

  it('the emulator banner has no stray spaces', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'emulator', '--port', '0', '--data-dir', join(freshHome(), 'em')],
      {
        env: baseEnv(freshHome()),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Press Ctrl-C')) resolve();
      });
    });
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
    const authorities = out.split('\n').filter((l) => l.includes('authority'));
    assert.ok(authorities.length >= 3, out);
    for (const line of authorities) assert.doesNotMatch(line, / \)|\( /, `"${line}"`);
    const column = new Set(authorities.map((l) => l.indexOf('http')));
    assert.equal(column.size, 1, `the URLs line up:\n${authorities.join('\n')}`);
  });

  it('--help descriptions are written alike: lower-case start, no final full stop', async () => {
    const { buildProgram } = await import('../src/main.js');
    const odd: string[] = [];
    const visit = (c: Command, path: string) => {
      const texts = [
        [`${path}`, c.description()],
        ...c.options.map((o) => [`${path} ${o.flags}`, o.description]),
        ...c.registeredArguments.map((a) => [`${path} <${a.name()}>`, a.description]),
      ];
      for (const [where, text] of texts)
        if (text && (/^[A-Z][a-z]/.test(text) || /\.$/.test(text))) odd.push(`${where}: ${text}`);
      for (const sub of c.commands) visit(sub, `${path} ${sub.name()}`);
    };
    visit(buildProgram(), 'tokenloop');
    assert.deepEqual(odd, []);
  });
});
