// S125–S128: `tokenloop token` answers a cached token on a small synchronous fast path, and only there it can
// answer exactly as the full command line would. A sweep over token invocations (formats, --account and --scope
// forms, profiles and flags, fresh / expiring / expired tokens, missing, damaged and unsafe cache files): each
// runs three times from the same state at the same pinned time — the full CLI (TOKENLOOP_TOKEN_PATH=full), the
// normal command (fast path first) and the fast path alone (TOKENLOOP_TOKEN_PATH=fast) — and the normal command
// must print byte for byte what the full CLI prints, with its exit code. The fast path alone must give the same
// answer where the table says it answers, and decline (exit 125, nothing on stdout) everywhere else.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Option } from 'commander';
import { type RunningEmulator, SAMPLE_IDS, startEmulator } from '@tokenloop/emulator';
import { cacheKey, openEnvelope, sealEnvelope } from '../../tokenloop/src/cache/stores/encryption.js';
import {
  type ScriptedProvider,
  startScriptedProvider,
} from '../../tokenloop/test/support/scripted-provider.js';
import { loadFastPath } from '../src/fast-path/start.js';
import { FAST_PATH_OPTIONS } from '../src/fast-path/token-args.js';
import { buildProgram } from '../src/main.js';
import { TOKEN_FORMATS } from '../src/output/token-format.js';
import { BIN, baseEnv, runCli, tempDir } from './support/cli.js';
import { signInScripted } from './support/scripted-sign-in.js';
import { type Run, runNode, shown } from './support/node-run.js';

const PINNED_CLOCK = join(import.meta.dirname, 'support', 'pinned-clock.cjs');
const BUNDLE_CLI = join(import.meta.dirname, '..', '..', '..', 'scripts', 'bundle-cli.mjs');
/** "Another user" for planted files (nobody on Debian); planting needs root. */
const OTHER_UID = 65534;
/** The fast path alone, when it cannot answer (TOKENLOOP_TOKEN_PATH=fast). */
const DECLINED = 125;

/** `tokenloop token ARGS` at the pinned time `now`, read until its streams close, bounded. */
function runToken(
  args: string[],
  env: NodeJS.ProcessEnv,
  now: number,
  label: string,
  bin = BIN,
): Promise<Run> {
  return runNode(['--require', PINNED_CLOCK, bin, 'token', ...args], label, {
    env: { ...env, TL_TEST_NOW: String(now) },
  });
}

/** Everything under `root` (links not followed): kind, owner, mode and content, to see that nothing changed. */
function snapshotOf(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(root, { recursive: true }) as string[]) {
    const path = join(root, name);
    const st = lstatSync(path);
    const what = st.isSymbolicLink()
      ? `link ${readlinkSync(path)}`
      : st.isFile()
        ? createHash('sha256').update(readFileSync(path)).digest('hex')
        : 'dir';
    out[name] = `${st.uid} ${(st.mode & 0o7777).toString(8)} ${what}`;
  }
  return out;
}

/**
 * The one line a run prints or not by how long the provider took (S199: said after 1.5 s without an answer; a
 * loaded machine can take that long for a renewal), so that two runs of one renewal compare by what they did.
 */
const WAIT_NOTICE = /^Contacting \S+… \(each try waits up to \d+ s, \d+ tries; Ctrl-C to cancel\)\n/gm;
const shownErr = (r: Run) => r.stderr.replace(WAIT_NOTICE, '');
const same = (a: Run, b: Run) => a.code === b.code && a.stdout === b.stdout && shownErr(a) === shownErr(b);

/** Copy a folder tree exactly: modes, links, contents (a home is restored before each run). */
function copyTree(from: string, to: string): void {
  for (const name of readdirSync(from)) {
    const src = join(from, name);
    const dst = join(to, name);
    const st = lstatSync(src);
    if (st.isSymbolicLink()) symlinkSync(readlinkSync(src), dst);
    else if (st.isDirectory()) {
      mkdirSync(dst);
      copyTree(src, dst);
    } else copyFileSync(src, dst);
    chmodSync(dst, st.mode & 0o7777);
  }
}

const cacheDir = (home: string) => join(home, 'cache');
const cacheFile = (home: string) => join(home, 'cache', 'tokens.cache');
const keyFile = (home: string) => `${cacheFile(home)}.key`;

/** Change the decrypted cache document of a home in place (with its own key), as a damaged or odd cache. */
function editCache(home: string, edit: (doc: { records: Record<string, unknown> }) => void): void {
  const key = cacheKey(Buffer.from(readFileSync(keyFile(home), 'utf8').trim(), 'base64'));
  const opened = openEnvelope(readFileSync(cacheFile(home)), [key]);
  if (!opened.ok) throw new Error(`cannot open the test cache: ${opened.detail}`);
  const doc = JSON.parse(opened.plaintext.toString('utf8')) as { records: Record<string, unknown> };
  edit(doc);
  writeFileSync(cacheFile(home), sealEnvelope(Buffer.from(JSON.stringify(doc)), key), { mode: 0o600 });
}

function editConfig(
  home: string,
  edit: (config: { profiles: Record<string, Record<string, unknown>> }) => void,
) {
  const file = join(home, 'config.json');
  const config = JSON.parse(readFileSync(file, 'utf8')) as {
    profiles: Record<string, Record<string, unknown>>;
  };
  edit(config);
  writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
}

type Template = 'one' | 'three' | 'entra';

interface Case {
  name: string;
  home?: Template;
  args: string[];
  /** Seconds after the template's sign-in at which the clock is pinned (default 60). */
  at?: number;
  /** Turn the copied home into the situation (deterministic: it runs before each of the three runs). */
  mutate?: (home: string) => void;
  env?: Record<string, string>;
  /** Whether the fast path answers it; everything else it must leave to the full CLI. */
  fast: boolean;
  /** The provider refuses to refresh (invalid_grant); such cases run one at a time, after the others. */
  refused?: boolean;
}

const CASES: Case[] = [
  // Every format.
  { name: 'raw', args: [], fast: true },
  { name: '--format json', args: ['--format', 'json'], fast: true },
  { name: '-f header', args: ['-f', 'header'], fast: true },
  { name: '--format=env', args: ['--format=env'], fast: true },
  { name: 'xoauth2 with the account as user', args: ['--format', 'xoauth2'], fast: true },
  {
    name: 'oauthbearer --user',
    args: ['--format', 'oauthbearer', '--user', 'shared@example.test'],
    fast: true,
  },
  { name: 'an unknown format', args: ['--format', 'yaml'], fast: false },
  // Scopes and resources.
  { name: '-s read', args: ['-s', 'read'], fast: true },
  { name: '--scope=read,openid', args: ['--scope=read,openid'], fast: true },
  { name: 'a scope not in the cache (refreshed)', args: ['--scope', 'write'], fast: false },
  // Accounts, profiles, flags.
  { name: '--account=USERNAME in capitals', args: ['--account=ALICE@EXAMPLE.TEST'], fast: true },
  { name: '--account of nobody signed in', args: ['--account', 'zed'], fast: false },
  { name: '--account empty', args: ['--account', ''], fast: false },
  { name: '-p default', args: ['-p', 'default'], fast: true },
  { name: '--profile unknown', args: ['--profile', 'nope'], fast: false },
  { name: '--force-refresh', args: ['--force-refresh'], fast: false },
  { name: 'an unknown option', args: ['--bogus'], fast: false },
  { name: 'TOKENLOOP_DEBUG', args: [], env: { TOKENLOOP_DEBUG: 'cache' }, fast: false },
  // Freshness: the library's refresh-ahead window (300 s before expiry of a 3600 s token).
  { name: 'fresh, just before the refresh-ahead window', args: [], at: 3200, fast: true },
  { name: 'in the refresh-ahead window (refreshed)', args: [], at: 3400, fast: false },
  { name: 'expired, and the provider refuses', args: [], at: 4000, refused: true, fast: false },
  // The cache file and its key (C3, S80–S83).
  { name: 'no cache file', args: [], mutate: (h) => rmSync(cacheFile(h)), fast: false },
  {
    name: 'a damaged cache file (quarantined)',
    args: [],
    mutate: (h) => writeFileSync(cacheFile(h), 'not a cache', { mode: 0o600 }),
    fast: false,
  },
  {
    name: 'one damaged record beside a good one (repaired)',
    args: [],
    mutate: (h) => editCache(h, (doc) => (doc.records['damaged'] = { v: 1 })),
    fast: false,
  },
  {
    name: 'cache file others may write',
    args: [],
    mutate: (h) => chmodSync(cacheFile(h), 0o666),
    fast: false,
  },
  { name: 'key file others may read', args: [], mutate: (h) => chmodSync(keyFile(h), 0o644), fast: false },
  {
    name: 'cache folder others may write',
    args: [],
    mutate: (h) => chmodSync(cacheDir(h), 0o777),
    fast: false,
  },
  {
    name: 'cache file is a symbolic link',
    args: [],
    mutate: (h) => {
      renameSync(cacheFile(h), join(h, 'elsewhere.cache'));
      symlinkSync(join(h, 'elsewhere.cache'), cacheFile(h));
    },
    fast: false,
  },
  { name: 'no key file', args: [], mutate: (h) => rmSync(keyFile(h)), fast: false },
  // S73: a cached token that is not a bearer credential is refused the same way; as a shell word it is fine.
  ...['raw', 'env'].map((format): Case => ({
    name: `a hostile cached token, --format ${format}`,
    args: ['--format', format],
    mutate: (h) =>
      editCache(h, (doc) => {
        for (const record of Object.values(doc.records) as { accessTokens: { secret: string }[] }[])
          for (const t of record.accessTokens) t.secret = `a b'c"$(touch pwned)\n`;
      }),
    fast: format === 'env',
  })),
  // Several accounts (alice, alan, bob; bob signed in last, with refresh_in 1800 s).
  { name: 'several: the default account', home: 'three', args: [], fast: true },
  { name: 'several: --account by prefix', home: 'three', args: ['--account', 'ali'], fast: true },
  { name: 'several: --account ambiguous', home: 'three', args: ['--account', 'al'], fast: false },
  {
    name: 'several: --account by id',
    home: 'three',
    args: ['--account', 'alan-sub@ISSUER'],
    fast: true,
  },
  {
    name: 'several and no default',
    home: 'three',
    args: [],
    mutate: (h) => editConfig(h, (c) => delete c.profiles.default!.account),
    fast: false,
  },
  { name: 'several: refresh_in passed (refreshed)', home: 'three', args: [], at: 2000, fast: false },
  // Microsoft Entra ID (the https emulator, its CA in the profile).
  { name: 'entra: raw', home: 'entra', args: [], fast: true },
  {
    name: 'entra: a Graph scope by its full name',
    home: 'entra',
    args: ['--scope', 'https://graph.microsoft.com/User.Read'],
    fast: true,
  },
  { name: 'entra: --tenant', home: 'entra', args: ['--tenant', SAMPLE_IDS.contoso], fast: true },
  {
    name: 'entra: the CA file is missing',
    home: 'entra',
    args: [],
    mutate: (h) => editConfig(h, (c) => (c.profiles.default!.caFile = join(h, 'missing-ca.pem'))),
    fast: false,
  },
];

describe('S126 token: the fast path prints byte for byte what the full CLI prints, or leaves it to it', () => {
  let p: ScriptedProvider;
  let em: RunningEmulator;
  const templates = new Map<Template, { home: string; signedInAt: number }>();
  /** Each case's home: the same path for its three runs, restored from the template before each. */
  const caseHomes = new Map<string, string>();
  let refusing = false;

  before(async () => {
    p = await startScriptedProvider();
    em = await startEmulator({
      https: true,
      dataDir: join(tempDir(), 'emulator'),
      autoLogin: 'alice',
      settings: { deviceCodeInterval: 1 },
    });
    // Refreshes get one fixed answer (the same bytes for every run), or a refusal.
    const refreshed = () =>
      refusing
        ? { status: 400, body: { error: 'invalid_grant', error_description: 'the grant expired' } }
        : {
            body: {
              access_token: 'at-refreshed',
              token_type: 'Bearer',
              expires_in: 3600,
              refresh_token: 'rt-refreshed',
              scope: 'openid offline_access read write',
            },
          };
    const signIn = (home: string, user: string, extra: Record<string, unknown> = {}) =>
      signInScripted(p, baseEnv(home), user, { extra, renewal: refreshed });
    const template = async (name: Template, make: (home: string) => Promise<void>) => {
      const home = tempDir('tl-fast-template-');
      const signedInAt = Date.now();
      await make(home);
      templates.set(name, { home, signedInAt });
    };
    await template('one', (home) => signIn(home, 'alice'));
    await template('three', async (home) => {
      await signIn(home, 'alice');
      await signIn(home, 'alan');
      await signIn(home, 'bob', { refresh_in: 1800 });
    });
    p.on('/token', refreshed);
    await template('entra', async (home) => {
      copyFileSync(em.caCertFile!, join(home, 'ca.pem'));
      const flags = ['--authority', `${em.url}/organizations`, '--client-id', SAMPLE_IDS.publicApp];
      const r = await runCli(
        ['login', '--device', ...flags, '--ca-file', join(home, 'ca.pem')],
        baseEnv(home),
      );
      assert.equal(r.code, 0, r.stderr);
    });
  });
  after(async () => {
    await p?.close();
    await em?.close();
  });

  /** The three runs of one case; what differs from the rule, as messages (empty: all held). */
  async function check(c: Case): Promise<string[]> {
    const template = templates.get(c.home ?? 'one')!;
    let home = caseHomes.get(c.name);
    if (!home) caseHomes.set(c.name, (home = tempDir('tl-fast-case-')));
    const restore = () => {
      for (const name of readdirSync(home)) rmSync(join(home, name), { recursive: true, force: true });
      copyTree(template.home, home);
      c.mutate?.(home);
    };
    const args = c.args.map((a) => a.replace('ISSUER', p.url));
    const env = baseEnv(home, c.env);
    const now = template.signedInAt + (c.at ?? 60) * 1000;
    const run = async (mode: string | undefined) => {
      restore();
      return runToken(args, { ...env, TOKENLOOP_TOKEN_PATH: mode }, now, `${c.name} (${mode ?? 'normal'})`);
    };
    const full = await run('full');
    const normal = await run(undefined);
    const alone = await run('fast');
    const problems: string[] = [];
    const expect = (ok: boolean, what: string) => {
      if (!ok) problems.push(`${c.name}: ${what}`);
    };
    expect(
      same(normal, full),
      `the normal command differs from the full CLI\n    normal: ${shown(normal)}\n    full:   ${shown(full)}`,
    );
    if (c.fast) {
      expect(full.code === 0, `the full CLI fails a case the fast path should answer: ${shown(full)}`);
      expect(
        same(alone, full),
        `the fast path alone differs\n    fast:   ${shown(alone)}\n    full:   ${shown(full)}`,
      );
    } else {
      expect(
        alone.code === DECLINED && alone.stdout === '' && /fast path/.test(alone.stderr),
        `the fast path alone does not decline (exit ${DECLINED}, nothing on stdout, a reason): ${shown(alone)}`,
      );
    }
    return problems;
  }

  it('S126 every case: normal = full CLI; the fast path answers exactly where the table says, else declines', async () => {
    assert.ok(CASES.filter((c) => c.fast).length >= 15, 'the sweep covers the cases the fast path answers');
    const problems: string[] = [];
    const parallel = CASES.filter((c) => !c.refused);
    // Two at a time (the machine has two cores); the provider's refusals last, one at a time.
    const queue = [...parallel];
    const worker = async () => {
      for (let c = queue.shift(); c; c = queue.shift()) problems.push(...(await check(c)));
    };
    await Promise.all([worker(), worker()]);
    refusing = true;
    try {
      for (const c of CASES.filter((c) => c.refused)) problems.push(...(await check(c)));
    } finally {
      refusing = false;
    }
    assert.deepEqual(problems, [], `${problems.length} of ${CASES.length} cases broke the rule`);
  });

  it('S127 the code cache: made private after an answer and used; a damaged one rebuilt; an unsafe one neither used nor touched', async () => {
    // The command line as installed (no development build beside it), with a bundle of its own.
    const cli = tempDir('tl-fast-installed-');
    mkdirSync(join(cli, 'bin'));
    for (const name of ['tokenloop.js', 'package.json'])
      copyFileSync(join(BIN, '..', name), join(cli, 'bin', name));
    const bundled = await runNode([BUNDLE_CLI, '--out', join(cli, 'dist', 'fast')], 'bundle-cli.mjs --out');
    assert.equal(bundled.code, 0, bundled.stderr);
    const template = templates.get('one')!;
    const home = tempDir('tl-fast-code-cache-');
    copyTree(template.home, home);
    const env = baseEnv(home);
    const now = template.signedInAt + 60_000;
    const expected = await runToken([], { ...env, TOKENLOOP_TOKEN_PATH: 'full' }, now, 'full');
    assert.equal(expected.code, 0, expected.stderr);
    const answer = async (what: string) => {
      const r = await runToken(
        [],
        { ...env, TOKENLOOP_TOKEN_PATH: 'fast' },
        now,
        what,
        join(cli, 'bin', 'tokenloop.js'),
      );
      assert.ok(same(r, expected), `${what}: answered as the full command line\n  ${shown(r)}`);
    };
    const dir = join(home, 'cache', 'code-cache');
    const mode = (path: string) => lstatSync(path).mode & 0o7777;

    await answer('the first answer');
    const [name, ...others] = readdirSync(dir);
    assert.deepEqual(others, [], 'one code cache');
    assert.match(
      name!,
      new RegExp(`^token-[0-9a-f]{16}-${process.version.replaceAll('.', '\\.')}-${process.arch}\\.bin$`),
    );
    const file = join(dir, name!);
    assert.equal(mode(dir), 0o700, 'S80: its folder is private');
    assert.equal(mode(file), 0o600, 'S84: written privately');
    const made = lstatSync(file, { bigint: true });

    await answer('the second answer');
    const used = lstatSync(file, { bigint: true });
    assert.ok(used.ino === made.ino && used.mtimeNs === made.mtimeNs, 'the cache was used, not made again');

    writeFileSync(file, 'not a code cache', { mode: 0o600 });
    await answer('with a damaged code cache');
    assert.notEqual(readFileSync(file, 'utf8'), 'not a code cache', 'V8 refused it, and it was made again');
    const good = readFileSync(file);

    // S80, S81: a folder others may write to, a link, another user's file: never read, never written.
    const unsafe: [string, () => void][] = [
      ['a code-cache folder others may write to', () => chmodSync(dir, 0o777)],
      [
        'a code cache that is a symbolic link',
        () => {
          writeFileSync(join(home, 'planted.bin'), good, { mode: 0o600 });
          rmSync(file);
          symlinkSync(join(home, 'planted.bin'), file);
        },
      ],
    ];
    if (process.getuid?.() === 0)
      unsafe.push(["another user's code cache", () => chownSync(file, OTHER_UID, OTHER_UID)]);
    // Whether the loader uses a code cache: it asks for one to be made (codeCache) exactly when it used none.
    const token = readFileSync(join(cli, 'dist', 'fast', 'token.cjs'));
    const id = {
      file: 'token.cjs',
      sha256: createHash('sha256').update(token).digest('hex'),
      size: token.length,
    };
    const usesCache = () =>
      loadFastPath(cli, env, id, createRequire(import.meta.url))?.codeCache === undefined;
    assert.equal(usesCache(), true, 'the sound code cache is used');
    for (const [what, plant] of unsafe) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { mode: 0o700 });
      writeFileSync(file, good, { mode: 0o600 });
      plant();
      const before = snapshotOf(home);
      assert.equal(usesCache(), false, `${what}: not used`);
      await answer(what);
      assert.deepEqual(snapshotOf(home), before, `${what}: left as it was`);
    }
  });
});

describe('S126 the fast path reads the token command exactly as the command line does', () => {
  it('S126 every option it reads is one of the token command, with the same name, a value and the same parser', async () => {
    const token = (await buildProgram()).commands.find((c) => c.name() === 'token');
    assert.ok(token, 'the token command');
    for (const [flag, { key, parse }] of Object.entries(FAST_PATH_OPTIONS)) {
      const option: Option | undefined = token.options.find((o) => o.long === flag || o.short === flag);
      assert.ok(option, `${flag} is an option of tokenloop token`);
      assert.equal(option.attributeName(), key, `${flag} sets ${key}`);
      assert.equal(option.required, true, `${flag} takes a value`);
      if (key === 'format') assert.deepEqual(option.argChoices, [...TOKEN_FORMATS], '--format: the formats');
      else assert.equal(option.parseArg, parse, `${flag}: read by the same function`);
    }
    const long = token.options.filter((o) => o.required).map((o) => o.long);
    for (const flag of long)
      assert.ok(
        flag! in FAST_PATH_OPTIONS,
        `${flag}: an option with a value that the fast path does not read`,
      );
  });
});

describe('S128 the fast path restates no rule: it imports them (a source scan)', () => {
  const dir = join(import.meta.dirname, '..', 'src', 'fast-path');
  /** What only the library's and the command's own modules may say: token and cache rules, crypto, file modes. */
  const RULES: [RegExp, string][] = [
    [/\b(expiresAt|obtainedAt|refreshAt|extExpiresAt|refreshAheadMs)\b/, 'freshness (cache/freshness.ts)'],
    [
      /\b(homeAccountId|tenantId|username)\b/,
      'account matching (client/account-lookup.ts, account-choice.ts)',
    ],
    [/\baccessTokens?\b|\bscopesCover\b|\bresourceScopes\b/, 'scope matching (cache/resource.ts)'],
    [
      /node:crypto|createDecipheriv|createHmac|openEnvelope|parseCacheDocument/,
      'decryption (the file store)',
    ],
    [/JSON\.parse/, 'parsing a file (cli-state, the file store)'],
    [/0o[0-7]{3}|\.mode\b|\buid\b|O_NOFOLLOW/, 'file trust (tokenloop/private-files)'],
    [/\bBearer\s|shellWord|jsonLine|toISOString/, 'output (output/quote.ts, token-format.ts)'],
  ];
  it('S128 the scan sees a restated rule', () => {
    const restated = [
      'if (token.expiresAt - 300_000 > Date.now()) return token.secret;',
      "const plain = createDecipheriv('aes-256-gcm', key, iv);",
      'if ((st.mode & 0o022) !== 0) throw unsafe();',
      'const config = JSON.parse(text);',
      'out(`Authorization: Bearer ${secret}`);',
    ];
    for (const code of restated)
      assert.ok(
        RULES.some(([rule]) => rule.test(code)),
        `caught: ${code}`,
      );
  });
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.ts')))
    it(`S128 src/fast-path/${name}`, () => {
      const code = readFileSync(join(dir, name), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      for (const [rule, where] of RULES) assert.doesNotMatch(code, rule, `${name} restates ${where}`);
    });
});
