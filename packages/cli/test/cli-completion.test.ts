// Shell completion scripts, loaded into a real bash and asked what they complete. The scripts are made from the
// command table (commander) itself, so a sweep over that table checks every command's sub-commands and options
//: a new option cannot be missing from completion, nor offered where
// it does not apply.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, startEmulator } from '@tokenloop/emulator';
import type { Command } from 'commander';
import { BIN, baseEnv, freshHome, runCli } from './support/cli.js';

describe('shell completion', () => {
  let em: RunningEmulator;
  let home: string;
  let script: string;
  before(async () => {
    em = await startEmulator({ autoLogin: 'bob', settings: { deviceCodeInterval: 1 } });
    home = freshHome();
    const env = baseEnv(home);
    for (const args of [
      ['profile', 'add', 'local', '--emulator', em.url],
      ['profile', 'add', 'work', '--emulator', em.url],
      ['login', '--device'],
    ])
      assert.equal((await runCli(args, env)).code, 0, args.join(' '));
    script = (await runCli(['completion', 'bash'], env)).stdout;
  });
  after(() => em?.close());

  /** What `_tokenloop` offers for the words typed so far (the last one is being completed), in a real bash. */
  function bashComplete(words: string[]): string[] {
    const run = `tokenloop() { "$TL_NODE" "$TL_BIN" "$@"; }
${script}
COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')}); COMP_CWORD=${words.length - 1}
_tokenloop; printf '%s\\n' "\${COMPREPLY[@]}"`;
    return execFileSync('bash', ['-c', run], {
      env: { ...baseEnv(home), TL_NODE: process.execPath, TL_BIN: BIN },
      encoding: 'utf8',
      timeout: 30_000,
    })
      .split('\n')
      .filter(Boolean);
  }
  const sorted = (l: string[]) => [...l].sort();

  it('bash: commands, sub-commands, option values with choices', () => {
    assert.deepEqual(bashComplete(['tokenloop', 'ma']), ['mail']);
    assert.deepEqual(sorted(bashComplete(['tokenloop', 'mail', ''])), ['help', 'password', 'proxy', 'test']);
    assert.deepEqual(bashComplete(['tokenloop', 'profile', 'u']), ['use']);
    assert.deepEqual(bashComplete(['tokenloop', 'token', '--format', 'x']), ['xoauth2']);
    assert.deepEqual(sorted(bashComplete(['tokenloop', 'account', ''])), ['help', 'use']);
    assert.deepEqual(sorted(bashComplete(['tokenloop', 'login', '--prompt', ''])), [
      'consent',
      'login',
      'select_account',
    ]);
    assert.deepEqual(sorted(bashComplete(['tokenloop', 'completion', ''])), ['bash', 'fish', 'zsh']);
  });

  it('bash: profile names and signed-in accounts, where a command takes them', () => {
    assert.deepEqual(sorted(bashComplete(['tokenloop', 'token', '--profile', ''])), ['local', 'work']);
    assert.deepEqual(sorted(bashComplete(['tokenloop', 'profile', 'use', ''])), ['local', 'work']);
    assert.deepEqual(bashComplete(['tokenloop', 'profile', 'remove', 'w']), ['work']);
    assert.deepEqual(bashComplete(['tokenloop', 'account', 'use', '']), ['bob@contoso.onmicrosoft.com']);
    assert.deepEqual(bashComplete(['tokenloop', 'token', '--account', 'b']), ['bob@contoso.onmicrosoft.com']);
    assert.deepEqual(bashComplete(['tokenloop', 'whoami', '--profile', 'local', '--account', '']), [
      'bob@contoso.onmicrosoft.com',
    ]);
  });

  it('bash, a sweep over the command table: each command offers its own options and sub-commands, no others', async () => {
    const { buildProgram } = await import('../src/main.js');
    const program = await buildProgram();
    const help = program.createHelp();
    const offered = (path: string[]) => sorted(bashComplete(['tokenloop', ...path, '-']));
    const check = (command: Command, path: string[]) => {
      const options = help
        .visibleOptions(command)
        .flatMap((o) => [o.long, o.short])
        .filter((f): f is string => f !== undefined);
      assert.deepEqual(offered(path), sorted(options), `tokenloop ${path.join(' ')} -`);
      const subs = help.visibleCommands(command).map((c) => c.name());
      if (subs.length > 0)
        assert.deepEqual(sorted(bashComplete(['tokenloop', ...path, ''])), sorted(subs), path.join(' '));
      for (const sub of command.commands) check(sub, [...path, sub.name()]);
    };
    check(program, []);
    // The options the new user missed, by name.
    for (const [command, option] of [
      ['login', '--browser'],
      ['login', '--tenant'],
      ['login', '--port'],
      ['login', '--timeout'],
      ['login', '--prompt'],
      ['login', '--ca-file'],
      ['login', '--issuer'],
      ['login', '--login-hint'],
      ['token', '--force-refresh'],
      ['logout', '--all'],
      ['logout', '--no-browser'],
    ])
      assert.ok(offered([command!]).includes(option!), `${command} ${option}`);
    assert.ok(!offered(['decode']).includes('--profile'), 'decode has no --profile');
  });

  it('zsh and fish scripts come from the same table; an unknown shell is a usage error', async () => {
    const { buildProgram } = await import('../src/main.js');
    const names = (await buildProgram()).commands.map((c) => c.name());
    for (const shell of ['zsh', 'fish']) {
      const r = await runCli(['completion', shell], baseEnv(freshHome()));
      assert.equal(r.code, 0);
      for (const command of names)
        assert.match(r.stdout, new RegExp(`\\b${command}\\b`), `${shell}: ${command}`);
      for (const option of ['force-refresh', 'login-hint', 'no-browser', 'select_account'])
        assert.match(r.stdout, new RegExp(option), `${shell}: ${option}`);
    }
    const bad = await runCli(['completion', 'tcsh'], baseEnv(freshHome()));
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /use bash, zsh or fish/);
  });
});
