// Every `fix:` the CLI prints works: for each situation a user can end up in, the command
// the fix names is run exactly as printed (placeholders such as URL and ID filled in, as a person would), then
// the command that failed is run again and must succeed — following one fix may lead to the next, but never in
// a circle. A source scan checks that every `tokenloop …` command the CLI's messages name exists as written.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, startEmulator } from '@tokenloop/emulator';
import type { Command } from 'commander';
import {
  type ScriptedProvider,
  startScriptedProvider,
} from '../../tokenloop/test/support/scripted-provider.js';
import { TS_NAME, sourceFiles } from '../../tokenloop/test/support/package-sources.js';
import { BIN, type CliRun, baseEnv, freshHome, runCli } from './support/cli.js';
import { TENANT_A, TENANT_B, startTenantBProvider } from './support/tenant-b-provider.js';

/**
 * The command a `fix:` line names (the first `tokenloop …`, `unset VAR` or `export VAR=…` between backticks), if
 * any.
 */
function fixCommand(stderr: string): string | undefined {
  const line = stderr.split('\n').find((l) => /^\s+fix: /.test(l));
  return line ? /`((?:tokenloop|unset|export) [^`]+)`/.exec(line)?.[1] : undefined;
}

/** A fix that changes the person's shell (`unset VAR`, `export VAR=value`): done to the world's environment. */
function shellFix(fix: string, env: NodeJS.ProcessEnv): boolean {
  const unset = /^unset ([A-Z_][A-Z0-9_]*)$/.exec(fix);
  if (unset) delete env[unset[1]!];
  const set = /^export ([A-Z_][A-Z0-9_]*)=(\S+)$/.exec(fix);
  if (set) env[set[1]!] = set[2]!;
  return unset !== null || set !== null;
}

const FORM_BROWSER = join(import.meta.dirname, 'support', 'form-browser.mjs');
const CONTOSO = SAMPLE_IDS.contoso;

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
    child.on('close', (code) => resolve({ code, stdout, stderr })); // 'close': after the last output, not just the exit
  });
}

/** One situation's own world: a home, an emulator signing in bob, and what else the situation starts. */
interface World {
  env: NodeJS.ProcessEnv;
  em: RunningEmulator;
  /** A scripted provider that signs in `next` (the person at the browser). */
  scripted?: { p: ScriptedProvider; next: string };
  /** An https emulator whose CA lives in this home's emulator folder (where the CLI looks for it). */
  tls?: RunningEmulator;
  /** A port nothing listens on (yet): a provider the network does not reach; `other` once it is started. */
  closedPort?: number;
  other?: RunningEmulator;
}

interface Situation {
  name: string;
  /**
   * People sign in themselves (no auto-login): `login` opens the stand-in browser, which signs in the person
   * TL_BROWSER_USER names, else the login hint.
   */
  people?: boolean;
  /** Brings the world into the situation. */
  setup?: (w: World) => Promise<void>;
  /** The command that fails (EMULATOR and TLS stand for the URLs), its exit code, what it must say. */
  command: string[];
  exit: number;
  says: RegExp;
  /** The command that must work once the fixes were followed (default: `command`). */
  retry?: string[];
  /** What the person does that a command cannot (the test stands in). */
  beforeFix?: (w: World) => void | Promise<void>;
  /** What must still hold once the command works (e.g. a saved profile left as it was). */
  after?: (w: World) => Promise<void>;
}

const cli = (w: World, ...args: string[]) =>
  runCli(args, w.env).then((r) => {
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r;
  });
const local = async (w: World) => void (await cli(w, 'profile', 'add', 'local', '--emulator', w.em.url));
const signedIn = async (w: World) => {
  await local(w);
  await cli(w, 'login', '--device');
};
async function scripted(w: World): Promise<{ p: ScriptedProvider; next: string }> {
  if (!w.scripted) {
    const s = { p: await startScriptedProvider(), next: 'alice' };
    s.p.on('/token', async () => ({
      body: await s.p.tokenResponse({
        id_token: await s.p.idToken({ sub: `${s.next}-sub`, preferred_username: `${s.next}@example.test` }),
      }),
    }));
    w.scripted = s;
  }
  return w.scripted;
}
async function scriptedLogin(w: World, user: string): Promise<void> {
  const s = await scripted(w);
  s.next = user;
  await cli(w, 'login', '--device', '--issuer', s.p.url, '--client-id', s.p.clientId, '--scope', 'read');
}
/** People sign in as themselves, one after the other (the last one is the profile's default). */
async function peopleSignIn(w: World, ...usernames: string[]): Promise<void> {
  await local(w);
  for (const u of usernames) await cli(w, 'login', '--login-hint', u);
}
/** A profile as saved in the world's config.json. */
function savedProfile(w: World, name: string): { authority?: string; account?: string } | undefined {
  const file = JSON.parse(readFileSync(join(w.env.TOKENLOOP_HOME!, 'config.json'), 'utf8')) as {
    profiles: Record<string, { authority?: string; account?: string }>;
  };
  return file.profiles[name];
}
/** The account plain `tokenloop token` acts for. */
async function defaultUser(w: World, ...args: string[]): Promise<string> {
  const r = await cli(w, 'token', '--format', 'json', ...args);
  return (JSON.parse(r.stdout) as { account: { username: string } }).account.username;
}
/** The world's emulator, stopped and started again on the same port (its sign-ins are gone with it). */
async function restartEmulator(w: World): Promise<void> {
  const port = Number(new URL(w.em.url).port);
  await w.em.close();
  w.em = await startEmulator({ port, autoLogin: 'bob', settings: { deviceCodeInterval: 1 } });
}
/** A loopback port nothing listens on: one the system gave out, then closed again. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
async function httpsEmulator(w: World): Promise<RunningEmulator> {
  w.tls = await startEmulator({
    https: true,
    dataDir: join(w.env.TOKENLOOP_HOME!, 'emulator'), // where the CLI looks for a local emulator's CA
    autoLogin: 'bob',
    settings: { deviceCodeInterval: 1 },
  });
  return w.tls;
}

const situations: Situation[] = [
  { name: 'nothing is configured', command: ['token'], exit: 2, says: /no client id configured/ },
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
    setup: async (w) => {
      await signedIn(w);
      w.em.revokeUserGrants('bob');
    },
    command: ['token', '--force-refresh'],
    exit: 4,
    says: /AADSTS50173|revoked|invalid_grant/,
  },
  {
    name: 'multi-factor authentication required',
    setup: async (w) => {
      await signedIn(w);
      w.em.setScenarios({ user: 'bob' }, { mfaRequired: true });
    },
    command: ['token', '--force-refresh'],
    retry: ['token'],
    exit: 4,
    says: /AADSTS50076/,
  },
  { name: 'whoami before any sign-in', setup: local, command: ['whoami'], exit: 4, says: /sign-in required/ },
  {
    name: 'several accounts and none the default',
    setup: async (w) => {
      for (const user of ['alice', 'bob', 'carol']) await scriptedLogin(w, user);
      await cli(w, 'logout', 'carol', '--no-browser');
    },
    command: ['token'],
    exit: 2,
    says: /2 accounts are signed in/,
  },
  {
    name: 'an account that is not signed in',
    setup: (w) => scriptedLogin(w, 'alice'),
    command: ['token', '--account', 'carol@example.test'],
    exit: 4,
    says: /no account "carol@example\.test" is signed in/,
    beforeFix: (w) => {
      w.scripted!.next = 'carol'; // the person signs in as carol in the browser
    },
  },
  {
    name: 'logout with several accounts and no name',
    setup: async (w) => {
      for (const user of ['alice', 'bob']) await scriptedLogin(w, user);
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
  {
    name: "a provider whose certificate's issuer is not trusted (an https emulator)",
    setup: async (w) => {
      const tls = await httpsEmulator(w);
      await cli(
        w,
        'profile',
        'add',
        'tls',
        '--authority',
        `${tls.url}/organizations`,
        '--client-id',
        SAMPLE_IDS.publicApp,
      );
    },
    command: ['login', '--device'],
    exit: 2,
    says: /cannot verify the TLS certificate/,
  },
  {
    name: 'an untrusted certificate with the provider given by flags',
    setup: async (w) => void (await httpsEmulator(w)),
    command: ['login', '--device', '--authority', 'TLS/organizations', '--client-id', SAMPLE_IDS.publicApp],
    exit: 2,
    says: /cannot verify the TLS certificate/,
  },
  {
    name: 'a one-off --tenant for an account of another tenant (S132: the fix leaves the profile as it was)',
    people: true,
    setup: (w) =>
      peopleSignIn(
        w,
        'alice@contoso.onmicrosoft.com',
        'carol@fabrikam.onmicrosoft.com',
        'bob@contoso.onmicrosoft.com',
      ),
    command: ['token', '--tenant', 'fabrikam.onmicrosoft.com', '--account', 'carol'],
    exit: 4,
    says: /no account "carol" is signed in for tenant fabrikam\.onmicrosoft\.com/,
    beforeFix: (w) => {
      w.env.TL_BROWSER_USER = 'carol@fabrikam.onmicrosoft.com'; // the person types her whole username
    },
    after: async (w) => {
      assert.equal(
        savedProfile(w, 'local')?.authority,
        `${w.em.url}/organizations`,
        'the profile keeps its authority',
      );
      assert.equal(await defaultUser(w), 'bob@contoso.onmicrosoft.com', 'and its default account');
      assert.equal(await defaultUser(w, '--account', 'alice'), 'alice@contoso.onmicrosoft.com');
    },
  },
  {
    name: 'a one-off provider given by flags while a working profile is in use (S132: the fix does not overwrite it)',
    setup: signedIn,
    command: ['token', '--authority', 'LOCALHOST/organizations', '--client-id', SAMPLE_IDS.publicApp],
    exit: 4,
    says: /sign-in required/,
    after: async (w) => {
      assert.equal(savedProfile(w, 'local')?.authority, `${w.em.url}/organizations`, 'local is as it was');
      assert.equal(await defaultUser(w, '--profile', 'local'), 'bob@contoso.onmicrosoft.com');
    },
  },
  {
    name: 'S131 a tenant-specific profile named with --profile has two accounts of its tenant and no default',
    people: true,
    setup: async (w) => {
      await peopleSignIn(
        w,
        'alice@contoso.onmicrosoft.com',
        'bob@contoso.onmicrosoft.com',
        'carol@fabrikam.onmicrosoft.com',
      );
      await cli(
        w,
        'profile',
        'add',
        'contoso',
        '--authority',
        `${w.em.url}/${CONTOSO}`,
        '--client-id',
        SAMPLE_IDS.publicApp,
      );
    },
    command: ['token', '--profile', 'contoso'],
    exit: 2,
    says: /2 accounts are signed in \(alice@contoso\.onmicrosoft\.com, bob@contoso\.onmicrosoft\.com\) and none is the default/,
    after: async (w) => {
      assert.equal(
        await defaultUser(w),
        'carol@fabrikam.onmicrosoft.com',
        'the profile in use keeps its default',
      );
    },
  },
  {
    name: 'S132 several accounts of a one-off --tenant and no default there: --account, the profile left as it was',
    people: true,
    setup: (w) =>
      peopleSignIn(
        w,
        'alice@contoso.onmicrosoft.com',
        'bob@contoso.onmicrosoft.com',
        'carol@fabrikam.onmicrosoft.com',
      ),
    command: ['token', '--tenant', CONTOSO],
    exit: 2,
    says: /2 accounts are signed in[^]*fix: name one with --account: `tokenloop token --profile local --tenant [^`]* --account alice@contoso\.onmicrosoft\.com`/,
    retry: ['token', '--tenant', CONTOSO, '--account', 'alice'],
    after: async (w) => {
      assert.equal(savedProfile(w, 'local')?.authority, `${w.em.url}/organizations`);
      assert.equal(await defaultUser(w), 'carol@fabrikam.onmicrosoft.com', 'the default is as it was');
    },
  },
  {
    name: "S132 account use with a one-off --tenant is refused: the default is the profile's own",
    setup: signedIn,
    command: ['account', 'use', 'bob', '--tenant', 'contoso.onmicrosoft.com'],
    exit: 2,
    says: /account use sets the default account of profile "local"/,
    retry: ['account', 'use', 'bob'],
  },
  {
    name: 'account use NAME for someone not signed in: the fix signs them in',
    people: true,
    setup: (w) => peopleSignIn(w, 'alice@contoso.onmicrosoft.com'),
    command: ['account', 'use', 'carol'],
    exit: 4,
    says: /no account "carol" is signed in[^]*fix: .*`tokenloop login [^`]*--login-hint carol`/,
    beforeFix: (w) => {
      w.env.TL_BROWSER_USER = 'carol@fabrikam.onmicrosoft.com';
    },
  },
  {
    name: 'token --account NAME (no @) for someone not signed in: the fix signs in as NAME',
    people: true,
    setup: (w) => peopleSignIn(w, 'alice@contoso.onmicrosoft.com'),
    command: ['token', '--account', 'carol'],
    exit: 4,
    says: /no account "carol" is signed in[^]*fix: .*`tokenloop login [^`]*--login-hint carol`/,
    beforeFix: (w) => {
      w.env.TL_BROWSER_USER = 'carol@fabrikam.onmicrosoft.com';
    },
  },
  {
    name: 'the provider does not answer (exit 3): the fix checks it, once the network is back',
    setup: async (w) => {
      await signedIn(w);
      const port = Number(new URL(w.em.url).port);
      await w.em.close();
      w.em = { url: `http://127.0.0.1:${port}`, close: async () => {} } as RunningEmulator;
    },
    command: ['token', '--force-refresh'],
    exit: 3,
    says: /cannot reach/,
    beforeFix: restartEmulator,
  },
  {
    name: 'S196 login with flags naming a provider that refuses connections (exit 3), another profile in use: the fix runs doctor with those flags',
    setup: async (w) => {
      await signedIn(w); // plain `tokenloop doctor` checks this working profile and finds it well
      w.closedPort = await closedPort();
    },
    command: [
      'login',
      '--device',
      '--authority',
      'CLOSED/organizations',
      '--client-id',
      SAMPLE_IDS.publicApp,
    ],
    exit: 3,
    says: /fix: [^\n]*`tokenloop doctor --authority http:\/\/127\.0\.0\.1:\d+\/organizations --client-id [^`]+`/,
    beforeFix: async (w) => {
      w.other = await startEmulator({
        port: w.closedPort!,
        autoLogin: 'bob',
        settings: { deviceCodeInterval: 1 },
      });
    },
  },
  {
    name: "S206 a profile at tenant A and an account of tenant B: the fix signs it in at the account's own tenant",
    setup: async (w) => {
      const p = await startTenantBProvider();
      w.scripted = { p, next: 'carol' };
      await cli(
        w,
        'profile',
        'add',
        'tenant-a',
        '--authority',
        `${p.url}/${TENANT_A}`,
        '--client-id',
        p.clientId,
      );
    },
    command: ['login', '--device'],
    exit: 1,
    says: new RegExp(`the token is for tenant ${TENANT_B}, not for tenant ${TENANT_A}`),
    retry: ['token', '--tenant', TENANT_B],
    after: async (w) => {
      assert.equal(savedProfile(w, 'tenant-a')?.authority, `${w.scripted!.p.url}/${TENANT_A}`, 'S132: kept');
    },
  },
  {
    name: 'token --resource that is not a URI',
    setup: signedIn,
    command: ['token', '--resource', 'notauri'],
    exit: 2,
    says: /--resource/,
    retry: ['token', '--resource', 'https://graph.microsoft.com'],
  },
  {
    name: 'profile remove of a profile that does not exist',
    setup: local,
    command: ['profile', 'remove', 'nope'],
    exit: 2,
    says: /no profile named "nope"/,
    retry: ['profile', 'remove', 'local'],
  },
  {
    name: 'profile add with an authority that is not a URL',
    command: ['profile', 'add', 'x', '--authority', 'notaurl', '--client-id', SAMPLE_IDS.publicApp],
    exit: 2,
    says: /must be a URL/,
    retry: [
      'profile',
      'add',
      'x',
      '--authority',
      'EMULATOR/organizations',
      '--client-id',
      SAMPLE_IDS.publicApp,
    ],
  },
  {
    name: 'TOKENLOOP_PROFILE names no profile',
    setup: async (w) => {
      await signedIn(w);
      w.env.TOKENLOOP_PROFILE = 'nope';
    },
    command: ['token'],
    exit: 2,
    says: /TOKENLOOP_PROFILE/,
  },
  {
    name: 'the profile in use was removed and another one is left',
    setup: async (w) => {
      await signedIn(w);
      await cli(w, 'profile', 'add', 'spare', '--emulator', w.em.url, '--use');
      await cli(w, 'profile', 'remove', 'spare');
    },
    command: ['token'],
    exit: 2,
    says: /no profile is in use/,
  },
  {
    name: 'whoami after the grants were revoked, the access token still cached (S134)',
    setup: async (w) => {
      await signedIn(w);
      w.em.revokeUserGrants('bob');
    },
    command: ['whoami'],
    exit: 4,
    says: /sign-in required/,
  },
];

// Each situation has a world of its own, so they run side by side.
describe('every fix the CLI prints works when followed', { concurrency: 4 }, () => {
  for (const s of situations) {
    it(`${s.name}: the fix, followed as printed, resolves it`, async () => {
      const w: World = {
        env: baseEnv(freshHome(), s.people ? { BROWSER: FORM_BROWSER } : {}),
        em: await startEmulator({
          ...(s.people ? {} : { autoLogin: 'bob' }),
          settings: { deviceCodeInterval: 1 },
        }),
      };
      // What a person fills in for the placeholders of a fix: the provider's URL and the app's id.
      const fill = (text: string) =>
        text
          .replaceAll('LOCALHOST', w.em.url.replace('127.0.0.1', 'localhost'))
          .replaceAll('EMULATOR', w.em.url)
          .replaceAll('TLS', w.tls?.url ?? 'TLS')
          .replaceAll('CLOSED', `http://127.0.0.1:${w.closedPort ?? 0}`)
          .replace(/\bURL\b/g, `${w.em.url}/organizations`)
          .replace(/\bID\b/g, SAMPLE_IDS.publicApp);
      try {
        await s.setup?.(w);
        const command = s.command.map(fill);
        const failed = await runCli(command, w.env);
        assert.equal(failed.code, s.exit, failed.stderr);
        assert.match(failed.stderr, s.says);
        assert.doesNotMatch(failed.stderr, /\n\s+at |eyJ/, 'no stack trace, no token');
        // S196: a fix that names `tokenloop doctor` tests what failed: run before the world is mended, it fails too
        // (a doctor that checks another profile than the failed command's settings says all is well).
        const firstFix = fixCommand(failed.stderr);
        if (firstFix?.startsWith('tokenloop doctor')) {
          const doctor = await runShell(fill(firstFix), w.env);
          assert.notEqual(
            doctor.code,
            0,
            `\`${firstFix}\` finds nothing wrong:\n${doctor.stdout}${doctor.stderr}`,
          );
        }
        await s.beforeFix?.(w);
        // Follow the fixes, one after the other, until the command works (a fix may reveal the next step).
        const followed: string[] = [];
        let last = failed;
        for (let step = 0; step < 3; step++) {
          const fix = fixCommand(last.stderr);
          assert.ok(fix, `step ${step}: a fix naming a command:\n${last.stderr}`);
          assert.ok(!followed.includes(fix), `the fixes go in a circle: ${followed.join(' → ')} → ${fix}`);
          followed.push(fix);
          if (!shellFix(fix, w.env)) {
            const ran = await runShell(fill(fix), w.env);
            assert.equal(ran.code, 0, `the fix \`${fix}\` failed:\n${ran.stderr}`);
          }
          last = await runCli(s.retry ? s.retry.map(fill) : command, w.env);
          if (last.code === 0) break;
        }
        assert.equal(last.code, 0, `after ${followed.join(' → ')}:\n${last.stderr}`);
        await s.after?.(w);
      } finally {
        await w.em.close();
        await w.tls?.close();
        await w.other?.close();
        await w.scripted?.p.close();
      }
    });
  }
});

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
