// Every `tokenloop …` command the CLI's messages name exists as written (a source scan against the command table),
// and sign-in fixes are built by the one builder that keeps a command's own flags (loginCommand, S198).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import type { Command } from 'commander';
import { TS_NAME, sourceFiles } from '../../tokenloop/test/support/package-sources.js';

describe('every tokenloop command named in a message exists as written (a source scan)', () => {
  const SRC = join(import.meta.dirname, '..', 'src');
  const files = sourceFiles(SRC, { names: TS_NAME });

  /** Source text with every `${…}` replaced by a placeholder word and escaped backticks unescaped. */
  function flatten(src: string): string {
    let out = '';
    for (let i = 0; i < src.length; i++) {
      if (src[i] === '$' && src[i + 1] === '{') {
        let depth = 0;
        let j = i + 1;
        for (; j < src.length; j++) {
          if (src[j] === '{') depth++;
          else if (src[j] === '}' && --depth === 0) break;
        }
        out += 'VALUE';
        i = j;
      } else out += src[i];
    }
    return out.replaceAll('\\`', '`');
  }

  /** What is wrong with a command line as the CLI's parser knows its commands and options ([] when nothing). */
  async function check(line: string): Promise<string[]> {
    const { buildProgram } = await import('../src/main.js');
    const program = await buildProgram();
    const words = line.split(/\s+/).slice(1);
    let command: Command = program;
    let i = 0;
    for (; i < words.length; i++) {
      const sub = command.commands.find((c) => c.name() === words[i] || c.aliases().includes(words[i]!));
      if (!sub) break;
      command = sub;
    }
    const problems: string[] = [];
    if (command === program && words.length > 0 && !words[0]!.startsWith('-'))
      problems.push(`no command "${words[0]}"`);
    for (const w of words.slice(i)) {
      if (!w.startsWith('-') || w === '-') continue;
      const flag = w.split('=')[0]!;
      const known = [...command.options, ...program.options].some((o) => o.long === flag || o.short === flag);
      if (!known && flag !== '--help' && flag !== '-h') problems.push(`no option ${flag}`);
    }
    return problems;
  }

  it('each `tokenloop …` in a string of packages/cli/src names a real command with real options', async () => {
    const problems: string[] = [];
    let checked = 0;
    for (const file of files) {
      const lines = flatten(readFileSync(file, 'utf8')).split('\n');
      for (const [n, line] of lines.entries()) {
        if (/^\s*(\/\/|\*|\/\*)/.test(line)) continue; // comments describe, messages instruct
        for (const m of line.matchAll(/`(tokenloop(?: [^`]*)?)`/g)) {
          checked++;
          for (const problem of await check(m[1]!))
            problems.push(`${relative(SRC, file)}:${n + 1}: \`${m[1]}\`: ${problem}`);
        }
      }
    }
    assert.ok(checked >= 10, `found the messages (${checked})`);
    assert.deepEqual(problems, []);
  });

  it('S198 a command that knows its settings names a sign-in through loginCommand, never as a hand-written `tokenloop login …`', () => {
    const bare: string[] = [];
    for (const file of files) {
      const rel = relative(SRC, file);
      // The commands of this area, and the hints they print (`login --browser`, the `ssh -L` hint of a login).
      if (!/^commands[\\/](accounts|doctor|login|mail|status|token)[\\/]/.test(rel)) continue;
      const src = readFileSync(file, 'utf8');
      if (!src.includes('loadSettings(') && !rel.endsWith('browser-availability.ts')) continue;
      // A login written out (`tokenloop login`, `tokenloop login --browser`) drops the command's own flags
      // (profile, --authority, --client-id, --tenant …); one built by loginCommand keeps them.
      for (const [n, line] of flatten(src).split('\n').entries())
        if (!/^\s*(\/\/|\*|\/\*)/.test(line) && /`tokenloop login[` ]/.test(line))
          bare.push(`${rel}:${n + 1}`);
    }
    assert.deepEqual(bare, []);
  });

  it('the one builder of sign-in fixes (loginCommand) names only real options, whatever it is given', async () => {
    const { loginCommand } = await import('../src/client/login-command.js');
    const base = {
      profileName: 'work',
      profile: undefined,
      authority: 'https://login.example.com/organizations',
      baseAuthority: 'https://login.example.com/organizations',
      tenant: undefined,
      issuer: undefined,
      clientId: 'app',
      clientSecret: undefined,
      certificatePath: undefined,
      scopes: ['User.Read'],
      port: undefined,
      user: undefined,
      caFile: undefined,
    };
    const lines = [
      loginCommand({ ...base, sources: {} }),
      loginCommand(
        { ...base, sources: { authority: 'flag', clientId: 'flag', scopes: 'flag' } },
        { scopes: ['https://outlook.office.com/IMAP.AccessAsUser.All'], loginHint: "o'brien@example.com" },
      ),
      loginCommand(
        { ...base, authority: undefined, issuer: 'https://id.example.com', sources: { issuer: 'flag' } },
        { scopes: ['read'] },
      ),
    ];
    assert.match(lines[1]!, /--login-hint 'o'\\''brien@example\.com'/, 'values quoted for a shell');
    for (const line of lines) assert.deepEqual(await check(line), [], line);
    // The options that make another command look where a failed one did (whereFlags), on every command that
    // fixes name with them.
    const { whereFlags } = await import('../src/client/login-command.js');
    const where = whereFlags(
      {
        ...base,
        authority: 'https://login.example.com/contoso.com',
        tenant: 'contoso.com',
        caFile: '/ca.pem',
        sources: { authority: 'flag', clientId: 'flag', tenant: 'flag', caFile: 'flag' },
      },
      undefined,
    );
    assert.ok(where.includes('--tenant') && where.includes('--authority'), where.join(' '));
    for (const command of ['token', 'whoami', 'accounts', 'account use NAME', 'logout --all'])
      assert.deepEqual(await check(`tokenloop ${command} ${where.join(' ')}`), [], command);
  });
});
