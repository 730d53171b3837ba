// Every `fix:` the CLI prints works (issue 14, finding 4): for each situation a user can end up in, the command
// the fix names is run exactly as printed (placeholders such as URL and ID filled in, as a person would), then
// the command that failed is run again and must succeed — following one fix may lead to the next, but never in
// a circle. A source scan checks that every `tokenloop …` command the CLI's messages name exists as written.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, startEmulator } from '@tokenloop/emulator';
import type { Command } from 'commander';
import {
  type ScriptedProvider,
  startScriptedProvider,
} from '../../tokenloop/test/support/scripted-provider.js';
import { BIN, type CliRun, baseEnv, freshHome, runCli } from './support/cli.js';

/** The command a `fix:` line names (the first `tokenloop …` between backticks), if any. */
function fixCommand(stderr: string): string | undefined {
  const line = stderr.split('\n').find((l) => /^\s+fix: /.test(l));
  return line ? /`(tokenloop [^`]+)`/.exec(line)?.[1] : undefined;
}

/** Runs a printed command through a real shell, as a person pasting it would, with `tokenloop` being this CLI. */
function runShell(command: string, env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command.replace(/^tokenloop /, '"$TL_NODE" "$TL_BIN" ')], {
      env: { ...env, TL_NODE: process.execPath, TL_BIN: BIN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Situation {
  name: string;
  /** Brings a fresh home into the situation. */
  setup?: (env: NodeJS.ProcessEnv) => Promise<void>;
  /** The command that fails, its exit code, and what the failure must say. */
  command: string[];
  exit: number;
  says: RegExp;
  /** The command that must work once the fixes were followed (default: `command`). */
  retry?: string[];
  /** What the fix changes in the world a person cannot change from here (the test stands in). */
  beforeFix?: () => void | Promise<void>;
  cleanup?: () => void;
}

describe('every fix the CLI prints works when followed', () => {
  let em: RunningEmulator;
  let p: ScriptedProvider;
  before(async () => {
    em = await startEmulator({ autoLogin: 'bob', settings: { deviceCodeInterval: 1 } });
    p = await startScriptedProvider();
  });
  after(async () => {
    await em.close();
    await p.close();
  });
  const cli = (env: NodeJS.ProcessEnv, ...args: string[]) =>
    runCli(args, env).then((r) => assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`));
  const local = (env: NodeJS.ProcessEnv) => cli(env, 'profile', 'add', 'local', '--emulator', em.url);
  const signedIn = async (env: NodeJS.ProcessEnv) => {
    await local(env);
    await cli(env, 'login', '--device');
  };
  /** The scripted provider signs in whoever is next in line. */
  let nextUser = 'alice';
  const scripted = () => ['--issuer', p.url, '--client-id', p.clientId, '--scope', 'read'];
  const scriptedLogin = async (env: NodeJS.ProcessEnv, user: string) => {
    nextUser = user;
    await cli(env, 'login', '--device', ...scripted());
  };
  before(() => {
    p.on('/token', async () => ({
      body: await p.tokenResponse({
        id_token: await p.idToken({ sub: `${nextUser}-sub`, preferred_username: `${nextUser}@example.test` }),
      }),
    }));
  });

  const situations: Situation[] = [
    {
      name: 'nothing is configured',
      command: ['token'],
      exit: 2,
      says: /no client id configured/,
    },
    {
      name: 'a profile without a sign-in',
      setup: local,
      command: ['token'],
      exit: 4,
      says: /sign-in required/,
    },
    {
      name: 'an unknown profile',
      setup: local,
      command: ['token', '--profile', 'nope'],
      exit: 2,
      says: /no profile named "nope"/,
    },
    {
      name: 'a scope never consented to',
      setup: signedIn,
      command: ['token', '--scope', 'https://outlook.office.com/IMAP.AccessAsUser.All'],
      exit: 4,
      says: /AADSTS65001/,
    },
    {
      name: 'a resource never consented to',
      setup: signedIn,
      command: ['token', '--resource', 'https://outlook.office.com'],
      exit: 4,
      says: /sign-in required/,
    },
    {
      name: 'a revoked grant',
      setup: async (env) => {
        await signedIn(env);
        em.revokeUserGrants('bob');
      },
      command: ['token', '--force-refresh'],
      exit: 4,
      says: /AADSTS50173|revoked|invalid_grant/,
    },
    {
      name: 'multi-factor authentication required',
      setup: async (env) => {
        await signedIn(env);
        em.setScenarios({ user: 'bob' }, { mfaRequired: true });
      },
      command: ['token', '--force-refresh'],
      retry: ['token'],
      exit: 4,
      says: /AADSTS50076/,
      cleanup: () => em.setScenarios({ user: 'bob' }, {}),
    },
    {
      name: 'whoami before any sign-in',
      setup: local,
      command: ['whoami'],
      exit: 4,
      says: /sign-in required/,
    },
    {
      name: 'several accounts and none the default',
      setup: async (env) => {
        for (const user of ['alice', 'bob', 'carol']) await scriptedLogin(env, user);
        await cli(env, 'logout', 'carol', '--no-browser');
      },
      command: ['token'],
      exit: 2,
      says: /2 accounts are signed in/,
    },
    {
      name: 'an account that is not signed in',
      setup: (env) => scriptedLogin(env, 'alice'),
      command: ['token', '--account', 'carol@example.test'],
      exit: 4,
      says: /no account "carol@example\.test" is signed in/,
      beforeFix: () => {
        nextUser = 'carol'; // the person signs in as carol in the browser
      },
    },
    {
      name: 'logout with several accounts and no name',
      setup: async (env) => {
        for (const user of ['alice', 'bob']) await scriptedLogin(env, user);
      },
      command: ['logout', '--no-browser'],
      exit: 2,
      says: /2 accounts are signed in/,
    },
    {
      name: 'account use without a profile',
      command: [
        'account',
        'use',
        'bob',
        '--authority',
        'EMULATOR/organizations',
        '--client-id',
        SAMPLE_IDS.publicApp,
      ],
      exit: 2,
      says: /no profile is in use/,
    },
  ];

  for (const s of situations) {
    it(`${s.name}: the fix, followed as printed, resolves it`, async () => {
      const env = baseEnv(freshHome());
      // What a person fills in for the placeholders of a fix: the provider's URL and the app's id.
      const fill = (text: string) =>
        text
          .replaceAll('EMULATOR', em.url)
          .replace(/\bURL\b/g, `${em.url}/organizations`)
          .replace(/\bID\b/g, SAMPLE_IDS.publicApp);
      const command = s.command.map(fill);
      try {
        await s.setup?.(env);
        const failed = await runCli(command, env);
        assert.equal(failed.code, s.exit, failed.stderr);
        assert.match(failed.stderr, s.says);
        assert.doesNotMatch(failed.stderr, /\n\s+at |eyJ/, 'no stack trace, no token');
        await s.beforeFix?.();
        // Follow the fixes, one after the other, until the command works (a fix may reveal the next step).
        const followed: string[] = [];
        let last = failed;
        for (let step = 0; step < 3; step++) {
          const fix = fixCommand(last.stderr);
          assert.ok(fix, `step ${step}: a fix naming a command:\n${last.stderr}`);
          assert.ok(!followed.includes(fix), `the fixes go in a circle: ${followed.join(' → ')} → ${fix}`);
          followed.push(fix);
          const ran = await runShell(fill(fix), env);
          assert.equal(ran.code, 0, `the fix \`${fix}\` failed:\n${ran.stderr}`);
          last = await runCli(s.retry ? s.retry.map(fill) : command, env);
          if (last.code === 0) break;
        }
        assert.equal(last.code, 0, `after ${followed.join(' → ')}:\n${last.stderr}`);
      } finally {
        s.cleanup?.();
      }
    });
  }
});

describe('every tokenloop command named in a message exists as written (a source scan)', () => {
  const SRC = join(import.meta.dirname, '..', 'src');
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith('.ts')) files.push(path);
    }
  };
  walk(SRC);

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
    const program = buildProgram();
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

  it('the one builder of sign-in fixes (loginCommand) names only real options, whatever it is given', async () => {
    const { loginCommand } = await import('../src/commands/login/login-command.js');
    const base = {
      profileName: 'work',
      profile: undefined,
      authority: 'https://login.example.com/organizations',
      issuer: undefined,
      clientId: 'app',
      clientSecret: undefined,
      certificatePath: undefined,
      scopes: ['User.Read'],
      port: undefined,
      user: undefined,
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
  });
});
