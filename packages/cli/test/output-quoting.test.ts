// Output quoting (finding 5 of the security review): `eval "$(tokenloop token --format env)"` must never run what a
// provider put in a token, and nothing a provider sends (tokens, usernames, names, error descriptions) may
// reach a consumer unquoted. S72: hostile tokens are refused at receipt. S73: each --format quotes for its
// consumer (POSIX shell, HTTP header, JSON), checked with real sh and bash. S74: provider strings in terminal
// output cannot forge lines, fields or escape sequences.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AuthResult } from 'tokenloop';
import {
  type ScriptedProvider,
  startScriptedProvider,
} from '../../tokenloop/test/support/scripted-provider.js';
import { CliError } from '../src/errors.js';
import { TOKEN_FORMATS, type TokenFormat, formatToken } from '../src/output/token-format.js';
import { TS_NAME, sourceFiles } from '../../tokenloop/test/support/package-sources.js';
import { BIN, type CliRun, baseEnv, freshHome, runCli } from './support/cli.js';

/** Where hostile payloads would `touch`; the tests assert it never appears. */
const scratch = mkdtempSync(join(tmpdir(), 'tl-quoting-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const MARK = join(scratch, 'pwned');
const ran = (mark = MARK) => existsSync(mark);
const run = promisify(execFile);

const REPORTED = `x'; touch ${MARK}; : '`;
/**
 * Strings that break out of naive quoting in a shell, a header, JSON or a terminal. `@MARK@` is a file of the
 * value's own that a payload would create.
 */
const HOSTILE_TEMPLATES: string[] = [
  "x'; touch @MARK@; : '",
  "'",
  "''",
  "\\'",
  "'\\''",
  '$(touch @MARK@)',
  '`touch @MARK@`',
  '"; touch @MARK@; "',
  '\ntouch @MARK@\n',
  'a\r\nAuthorization: Bearer other',
  '${IFS}$HOME',
  '!!',
  '\\',
  '-n',
  '*',
  '# not a comment',
  'ünï©ødé ✓ \u202e',
  '\u001b]0;title\u0007\u001b[2J',
  '\u2028\u2029',
  ' spaced ',
  '',
  'A'.repeat(40_000),
];
const markOf = (i: number) => join(scratch, `pwned-${i}`);
const HOSTILE = HOSTILE_TEMPLATES.map((t, i) => t.replaceAll('@MARK@', markOf(i)));
/** Control characters a terminal acts on, bidirectional overrides, and Unicode line separators. */
const CONTROLS = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

function result(accessToken: string, username = 'alice@example.test'): AuthResult {
  return {
    accessToken,
    tokenType: 'bearer',
    expiresOn: new Date(Date.now() + 3_600_000),
    scopes: ['read'],
    account: {
      homeAccountId: `sub-1@http://127.0.0.1:1`,
      environment: 'http://127.0.0.1:1',
      tenantId: undefined,
      localAccountId: 'sub-1',
      username,
      name: undefined,
    },
    idToken: undefined,
    fromCache: true,
  } as AuthResult;
}

/**
 * Evaluate every env output in one real shell (one process per shell), printing each variable exactly, NUL
 * terminated. Asynchronous, so that this process keeps serving while the shell runs.
 */
async function evalAll(shell: 'sh' | 'bash', scripts: string[]): Promise<string[]> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
  let program = '';
  scripts.forEach((script, i) => {
    env[`TL_OUTPUT_${i}`] = script;
    program += `unset ACCESS_TOKEN; eval "$TL_OUTPUT_${i}"; printf '%s\\0' "$ACCESS_TOKEN"\n`;
  });
  const { stdout } = await run(shell, ['-c', program], {
    cwd: scratch,
    env,
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  return stdout.split('\0').slice(0, -1);
}

describe('S73 every --format quotes for its consumer (hostile values, real sh and bash)', () => {
  const evaluated: Record<'sh' | 'bash', string[]> = { sh: [], bash: [] };
  before(async () => {
    const outputs = HOSTILE.map((value) => formatToken(result(value), 'env'));
    for (const shell of ['sh', 'bash'] as const) evaluated[shell] = await evalAll(shell, outputs);
  });
  for (const [i, value] of HOSTILE.entries()) {
    const label = `#${i} ${JSON.stringify(value.length > 40 ? `${value.slice(0, 20)}…(${value.length})` : value)}`;
    it(`S73 env: ${label} is one shell word — sh and bash run nothing and get the value back exactly`, () => {
      for (const shell of ['sh', 'bash'] as const) {
        assert.equal(evaluated[shell].length, HOSTILE.length, `${shell} evaluated every output`);
        assert.ok(evaluated[shell][i] === value, `${shell} round-trips the value`);
        assert.equal(ran(markOf(i)), false, `${shell} ran no command`);
      }
    });
    it(`S73 json: ${label} as the token and the username round-trips through JSON.parse`, () => {
      const out = formatToken(result(value, value), 'json');
      assert.ok(out.endsWith('\n') && !out.slice(0, -1).includes('\n'), 'one line');
      assert.doesNotMatch(out, CONTROLS);
      const parsed = JSON.parse(out) as { accessToken: string; account: { username: string } };
      assert.ok(parsed.accessToken === value && parsed.account.username === value, 'exact round trip');
    });
    it(`S73 raw, header, xoauth2, oauthbearer: ${label} ${B64TOKEN.test(value) && value.length <= 32_768 ? 'is written as is' : 'is refused without being repeated'}`, () => {
      for (const format of ['raw', 'header', 'xoauth2', 'oauthbearer'] as const) {
        const valid = B64TOKEN.test(value) && value.length <= 32_768;
        if (valid) {
          const out = formatToken(result(value), format);
          if (format === 'raw') assert.ok(out === `${value}\n`);
          if (format === 'header') assert.ok(out === `Authorization: Bearer ${value}\n`);
          continue;
        }
        assert.throws(
          () => formatToken(result(value), format),
          (e: unknown) =>
            e instanceof CliError &&
            /not a valid bearer token/.test(e.message) &&
            (value === '' || !e.message.includes(value)),
          format,
        );
      }
    });
  }

  it('S73 env refuses a value a shell cannot hold (NUL) instead of cutting it short', () => {
    assert.throws(() => formatToken(result('abc\u0000def'), 'env'), CliError);
  });

  it('S73 the sweep covers every format', () => {
    const covered: TokenFormat[] = ['env', 'json', 'raw', 'header', 'xoauth2', 'oauthbearer'];
    assert.deepEqual([...TOKEN_FORMATS].sort(), covered.sort());
  });
});

describe('S72 the report end to end: a provider returning a shell payload as access_token (real tokenloop, real sh)', () => {
  let p: ScriptedProvider;
  before(async () => {
    p = await startScriptedProvider();
  });
  after(() => p?.close());
  const provider = () => ['--issuer', p.url, '--client-id', p.clientId];
  const flags = () => [...provider(), '--scope', 'read'];

  it('S72 sign-in with the payload as access_token is refused, naming the provider; nothing is stored', async () => {
    const env = baseEnv(freshHome());
    p.on('/token', async () => ({ body: await p.tokenResponse({ access_token: REPORTED }) }));
    try {
      const login = await runCli(['login', '--device', ...flags()], env);
      assert.equal(login.code, 1, login.stderr);
      assert.match(
        login.stderr,
        /the provider returned an access token that is not an RFC 6750 bearer token/,
      );
      assert.match(login.stderr, /fix: This is the provider's fault/);
      assert.ok(!login.stderr.includes('touch'), 'the payload is not repeated');
    } finally {
      p.on('/token', undefined);
    }
    assert.equal((await runCli(['accounts', '--json', ...provider()], env)).stdout, '[]\n');
    assert.equal(ran(), false);
  });

  it('S72 eval "$(tokenloop token --format env)" with the payload arriving on refresh runs nothing', async () => {
    const home = freshHome();
    const env = baseEnv(home);
    assert.equal((await runCli(['login', '--device', ...flags()], env)).code, 0);
    p.on('/token', async () => ({ body: await p.tokenResponse({ access_token: REPORTED }) }));
    try {
      const direct = await runCli(['token', '--format', 'env', '--force-refresh', ...flags()], env);
      assert.equal(direct.code, 1, direct.stderr);
      assert.ok(direct.stdout === '', 'nothing on stdout');
      assert.ok(!direct.stderr.includes('touch'));
      // Exactly as in the report: the shell evaluates whatever the command printed.
      const command = [process.execPath, BIN, 'token', '--format', 'env', '--force-refresh', ...flags()]
        .map((a) => `'${a.replaceAll("'", "'\\''")}'`)
        .join(' ');
      for (const shell of ['sh', 'bash']) {
        const r = await run(shell, ['-c', `eval "$(${command})"; printf '%s' "\${ACCESS_TOKEN-unset}"`], {
          cwd: scratch,
          env,
          encoding: 'utf8',
        });
        assert.match(r.stderr, /the provider returned an access token that is not an RFC 6750 bearer token/);
        assert.ok(r.stdout === 'unset', `${shell}: no token was exported`);
        assert.equal(ran(), false, `${shell}: the payload did not run`);
      }
    } finally {
      p.on('/token', undefined);
    }
    // The earlier, valid token is still there and comes out as one shell word.
    const fine = await runCli(['token', '--format', 'env', ...flags()], env);
    assert.equal(fine.code, 0, fine.stderr);
    assert.ok(
      /^export ACCESS_TOKEN='[A-Za-z0-9\-._~+/]+=*'\n$/.test(fine.stdout),
      'one single-quoted shell word (not printed: it holds a token)',
    );
  });
});

describe('S74 provider-supplied strings in terminal output cannot forge lines, fields or escape sequences', () => {
  let p: ScriptedProvider;
  before(async () => {
    p = await startScriptedProvider();
  });
  after(() => p?.close());
  const provider = () => ['--issuer', p.url, '--client-id', p.clientId];
  const flags = () => [...provider(), '--scope', 'read'];
  const EVIL_USER = 'alice@example.test\u001b]0;owned\u0007\n\ttokenloop: fix: run this\r\u202eevil\u009b2J';
  const EVIL_NAME = 'Alice\tExample\u001b[31m\nsecond line\u2028';

  it('S74 login, accounts, token --format json, whoami, logout and errors show hostile usernames, names and error descriptions escaped', async () => {
    const env = baseEnv(freshHome());
    const idToken = await p.idToken({ sub: 'evil-1', preferred_username: EVIL_USER, name: EVIL_NAME });
    p.on('/token', async () => ({ body: await p.tokenResponse({ id_token: idToken }) }));
    const outputs: Record<string, CliRun> = {};
    try {
      outputs.login = await runCli(['login', '--device', ...flags()], env);
      assert.equal(outputs.login.code, 0, outputs.login.stderr);
    } finally {
      p.on('/token', undefined);
    }
    assert.match(
      outputs.login.stderr,
      // S197: a login with flags is saved as the profile "default", and the line names it.
      /Signed in as alice@example\.test\\x1b\]0;owned\\x07\\n\\ttokenloop: fix: run this\\r\\u202eevil\\x9b2J \(profile default\)\./,
    );

    const accounts = await runCli(['accounts', ...provider()], env);
    outputs.accounts = accounts;
    const lines = accounts.stdout.split('\n');
    assert.deepEqual(lines.slice(1), [''], 'one line for one account');
    assert.equal(lines[0]!.split('\t').length, 4, 'four tab-separated fields');

    const json = await runCli(['token', '--format', 'json', ...flags()], env);
    assert.equal(json.code, 0, json.stderr);
    outputs.json = json;
    assert.equal((JSON.parse(json.stdout) as { account: { username: string } }).account.username, EVIL_USER);

    p.on('/userinfo', () => ({ body: { sub: 'evil-1', name: EVIL_NAME, preferred_username: EVIL_USER } }));
    try {
      outputs.whoami = await runCli(['whoami', ...provider()], env);
      assert.equal(outputs.whoami.stdout.split('\n').length, 3, outputs.whoami.stderr);
      outputs.whoamiJson = await runCli(['whoami', '--json', ...provider()], env);
      assert.equal((JSON.parse(outputs.whoamiJson.stdout) as { name: string }).name, EVIL_NAME);
    } finally {
      p.on('/userinfo', undefined);
    }

    p.on('/token', () => ({
      status: 400,
      body: {
        error: 'invalid_grant',
        error_description: `grant revoked \u001b[2J\u001b]0;owned\u0007 \u202eevil\u0085`,
      },
    }));
    try {
      outputs.error = await runCli(['token', '--force-refresh', ...flags()], env);
      assert.equal(outputs.error.code, 4, outputs.error.stderr);
      assert.match(outputs.error.stderr, /grant revoked \\x1b\[2J/);
    } finally {
      p.on('/token', undefined);
    }

    outputs.logout = await runCli(['logout', '--no-browser', ...provider()], env);
    assert.match(outputs.logout.stderr, /Signed out alice@example\.test\\x1b/);

    for (const [command, { stdout, stderr }] of Object.entries(outputs)) {
      assert.doesNotMatch(stderr, CONTROLS, `${command}: stderr`);
      const data = command === 'accounts' ? stdout.replaceAll('\t', ' ') : stdout;
      assert.doesNotMatch(data, CONTROLS, `${command}: stdout`);
    }
  });
});

describe('S73 / S74 every output path of the CLI goes through quote.ts (a source scan)', () => {
  const SRC = join(import.meta.dirname, '..', 'src');
  const files = sourceFiles(SRC, { names: TS_NAME, except: (p) => p.endsWith(join('output', 'quote.ts')) });
  /** Every statement that writes to the terminal or stdout: say(...), process.std*.write(...), out(...). */
  function outputStatements(): { file: string; text: string }[] {
    const found: { file: string; text: string }[] = [];
    for (const file of files) {
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(/\b(say|process\.stdout\.write|process\.stderr\.write|out)\(/g)) {
        let i = m.index + m[0].length;
        for (let depth = 1; i < src.length && depth > 0; i++)
          depth += src[i] === '(' ? 1 : src[i] === ')' ? -1 : 0;
        found.push({ file: relative(SRC, file), text: src.slice(m.index, i) });
      }
    }
    return found;
  }

  it('S73 JSON reaches stdout or the terminal only through jsonLine', () => {
    const offenders = outputStatements().filter((s) => /JSON\.stringify/.test(s.text));
    assert.deepEqual(offenders, []);
  });

  it('S73 / S74 tokens and provider-supplied fields are written only through the quoting functions', () => {
    const FIELDS =
      /\b(accessToken|access_token|refreshToken|username|preferred_username|displayName|userCode|verificationUri\w*|serverReply|mechanisms|challenge|detail|error_description)\b/;
    const offenders: string[] = [];
    for (const s of outputStatements())
      for (const m of s.text.matchAll(/\$\{((?:[^{}]|\{[^{}]*\})*)\}/g))
        if (FIELDS.test(m[1]!) && !/\b(terminalText|jsonLine|formatToken)\b/.test(m[1]!))
          offenders.push(`${s.file}: \${${m[1]}}`);
    assert.deepEqual(offenders, []);
  });
});
