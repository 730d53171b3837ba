// S74 everywhere the CLI writes. End to end: `mail test` explains a refusal from what the token says (`upn`,
// `aud`), and a hostile token's claims must reach the terminal escaped. As a class: a source sweep of every
// place the CLI writes to stdout or stderr (say, console.*, process.std*.write, the `out` / `write` parameters
// commands print through, status lines, and arrays of output lines named `lines`): each piece of what is
// written must be a constant or pass through quote.ts (terminalText, jsonLine, formatToken, shellWord), or be on
// the allow-list below, which says for each entry why it cannot carry a foreign string.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { TS_NAME, sourceFiles } from '../../tokenloop/test/support/package-sources.js';
import { baseEnv, freshHome, runCli } from './support/cli.js';
import { startHostileServer } from './support/hostile-mail-server.js';

/** A terminal acts on these (besides the line feeds that end lines). */
const CONTROLS = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
const EVIL =
  'mallory\u001b]0;PWNED-TITLE\u0007\u001b[2K\r\u001b[32m✓ XOAUTH2 login succeeded\u001b[0m\u009b2J\u202e\n';
const b64url = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');

describe('S74 mail test: what a token says is shown escaped when it explains a refusal', () => {
  const CASES: { name: string; claims: Record<string, unknown>; shown: RegExp }[] = [
    {
      name: 'a hostile upn (the token belongs to someone else)',
      claims: { upn: EVIL, aud: 'https://outlook.office.com', exp: 9_999_999_999 },
      shown: /likely cause: the token belongs to mallory\\x1b\]0;pwned-title\\x07\\x1b\[2k\\r/,
    },
    {
      name: 'a hostile aud (the token is for something else)',
      claims: { upn: 'alice@example.com', aud: EVIL, exp: 9_999_999_999 },
      shown: /likely cause: the token is for mallory\\x1b\]0;PWNED-TITLE\\x07\\x1b\[2K\\r/,
    },
  ];
  for (const c of CASES) {
    it(`S74 mail test: ${c.name} never reaches the terminal raw`, async () => {
      // An IMAP server that refuses every token.
      const server = await startHostileServer({
        greet: (s) => s.write('* OK refusing\r\n'),
        onLine: (s, l) => {
          const tag = l.split(' ')[0];
          if (/ CAPABILITY$/i.test(l))
            s.write(`* CAPABILITY IMAP4rev1 AUTH=XOAUTH2 SASL-IR\r\n${tag} OK\r\n`);
          else if (/ AUTHENTICATE /i.test(l)) s.write(`${tag} NO [AUTHENTICATIONFAILED] refused\r\n`);
        },
      });
      try {
        const token = `${b64url({ alg: 'RS256' })}.${b64url(c.claims)}.c2ln`;
        const r = await runCli(
          ['mail', 'test', `imap://127.0.0.1:${server.port}`, '--user', 'alice@example.com', '--token-stdin'],
          baseEnv(freshHome()),
          token,
        );
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, c.shown);
        for (const line of r.stderr.split('\n')) assert.doesNotMatch(line, CONTROLS, JSON.stringify(line));
        assert.doesNotMatch(r.stderr, /^✓/m, 'no forged success line');
      } finally {
        await server.close();
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------------------------
// The sweep: a small reader of TypeScript source, enough for the shapes of output code (strings, templates with
// nested templates, regular expressions, comments).

/** Index just after the string, template or regular expression starting at `i`, or undefined. */
function skipLiteral(s: string, i: number): number | undefined {
  const c = s[i];
  if (c === "'" || c === '"') {
    let j = i + 1;
    while (j < s.length && s[j] !== c) j += s[j] === '\\' ? 2 : 1;
    return j + 1;
  }
  if (c === '`') {
    let j = i + 1;
    while (j < s.length) {
      if (s[j] === '\\') j += 2;
      else if (s[j] === '`') return j + 1;
      else if (s[j] === '$' && s[j + 1] === '{') j = closing(s, j + 1) + 1;
      else j++;
    }
    return j;
  }
  const comment = s[i + 1] === '/' || s[i + 1] === '*';
  if (c === '/' && !comment && /(^|[=(,:;!&|?{}[\n]|\breturn)\s*$/.test(s.slice(Math.max(0, i - 20), i))) {
    let j = i + 1;
    let inClass = false;
    while (j < s.length && s[j] !== '\n') {
      if (s[j] === '\\') j++;
      else if (s[j] === '[') inClass = true;
      else if (s[j] === ']') inClass = false;
      else if (s[j] === '/' && !inClass) return j + 1;
      j++;
    }
  }
  return undefined;
}

/** Calls `at(i, depth)` for each character outside literals; stops (returning i) when it returns true. */
function walkCode(s: string, at: (i: number, depth: number) => boolean | void, from = 0): number {
  let depth = 0;
  for (let i = from; i < s.length;) {
    const end = skipLiteral(s, i);
    if (end !== undefined) {
      i = end;
      continue;
    }
    if (at(i, depth) === true) return i;
    if ('([{'.includes(s[i]!)) depth++;
    else if (')]}'.includes(s[i]!)) depth--;
    i++;
  }
  return s.length;
}

/** The index of the bracket closing the one at `open`. */
const closing = (s: string, open: number) => walkCode(s, (i, d) => d === 1 && ')]}'.includes(s[i]!), open);

/** Source without comments (same length, so that positions stay). */
function withoutComments(src: string): string {
  let out = '';
  for (let i = 0; i < src.length;) {
    const end = skipLiteral(src, i);
    if (end !== undefined) {
      out += src.slice(i, end);
      i = end;
    } else if (src.startsWith('//', i) || src.startsWith('/*', i)) {
      const stop = src.startsWith('//', i) ? src.indexOf('\n', i) : src.indexOf('*/', i) + 2;
      const to = stop <= 1 ? src.length : stop;
      out += src.slice(i, to).replace(/[^\n]/g, ' ');
      i = to;
    } else out += src[i++];
  }
  return out;
}

/** `e` split at top-level `sep` characters. */
function splitTop(e: string, sep: string): string[] {
  const parts: string[] = [];
  let last = 0;
  walkCode(e, (i, d) => {
    if (d === 0 && e[i] === sep && !(sep === '+' && (e[i + 1] === '+' || e[i - 1] === '+'))) {
      parts.push(e.slice(last, i));
      last = i + 1;
    }
  });
  parts.push(e.slice(last));
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** The `${…}` expressions of the template literal `t`. */
function interpolations(t: string): string[] {
  const out: string[] = [];
  for (let j = 1; j < t.length - 1;) {
    if (t[j] === '\\') j += 2;
    else if (t[j] === '$' && t[j + 1] === '{') {
      const end = closing(t, j + 1);
      out.push(t.slice(j + 2, end));
      j = end + 1;
    } else j++;
  }
  return out;
}

// tokenText (commands/token/token-request.ts) returns formatToken's output and nothing else: checked below.
const QUOTING = new Set(['terminalText', 'jsonLine', 'formatToken', 'shellWord', 'tokenText']);
const isTernaryMark = (e: string, i: number) =>
  e[i] === '?' && e[i + 1] !== '?' && e[i - 1] !== '?' && e[i + 1] !== '.';

/**
 * The pieces of `expr` written as they are: neither constants nor quote.ts's output. `allowed` is asked about a
 * piece before it counts as raw.
 */
function rawPieces(expr: string, allowed: (piece: string) => boolean): string[] {
  let e = expr.trim().replace(/^await\s+/, '');
  while (e.startsWith('(') && closing(e, 0) === e.length - 1) e = e.slice(1, -1).trim();
  if (e === '' || /^-?\d[\d_.e+]*$/i.test(e)) return [];
  if ((e[0] === "'" || e[0] === '"') && skipLiteral(e, 0) === e.length) return [];
  if (e[0] === '`' && skipLiteral(e, 0) === e.length)
    return interpolations(e).flatMap((x) => rawPieces(x, allowed));
  const q = walkCode(e, (i, d) => d === 0 && isTernaryMark(e, i));
  if (q < e.length) {
    let nested = 0;
    const colon = walkCode(
      e,
      (i, d) => {
        if (d !== 0) return false;
        if (isTernaryMark(e, i)) nested++;
        else if (e[i] === ':') return nested-- === 0;
        return false;
      },
      q + 1,
    );
    return [...rawPieces(e.slice(q + 1, colon), allowed), ...rawPieces(e.slice(colon + 1), allowed)];
  }
  const sum = splitTop(e, '+');
  if (sum.length > 1) return sum.flatMap((p) => rawPieces(p, allowed));
  if (allowed(e)) return [];
  const call = /^([A-Za-z_$][\w$]*)\(/.exec(e);
  if (call && closing(e, call[0].length - 1) === e.length - 1) {
    if (QUOTING.has(call[1]!)) return [];
    if (call[1] === 'paint') return rawPieces(splitTop(e.slice(call[0].length, -1), ',')[1] ?? '', allowed);
  }
  if (/\.map\((terminalText|jsonLine)\)\.join\((['"])[^'"]*\2\)$/.test(e)) return [];
  return [e];
}

/**
 * Where the CLI writes: the terminal helpers, the console, the standard streams, the `out` and `write`
 * parameters commands print through, status lines (`line = statusLine()`), and arrays of output lines, which
 * are named `lines` by convention (`lines.push(…)`, printed with `lines.join('\n')`).
 */
const SINK =
  /(?<![\w$.])(say|out|write)\(|\bconsole\.(log|error|warn|info|debug|trace)\(|\bprocess\.(stdout|stderr)\.write\(|\blines\.push\(|\bline\.update\(/g;

/** Every call of a sink in `source`: the sink and each argument. */
function sinkCallsIn(source: string): { sink: string; arg: string }[] {
  const code = withoutComments(source);
  const out: { sink: string; arg: string }[] = [];
  for (const m of code.matchAll(SINK)) {
    if (/function\s+$/.test(code.slice(Math.max(0, m.index - 10), m.index))) continue; // a declaration
    const open = m.index + m[0].length - 1;
    for (const arg of splitTop(code.slice(open + 1, closing(code, open)), ','))
      if (!/^[\w$]+\??\s*:\s*[\w$<>[\]| ]+$/.test(arg)) out.push({ sink: m[0].slice(0, -1), arg }); // not a parameter's type
  }
  return out;
}

/**
 * Pieces written unquoted on purpose, by file, with why no foreign string can be among them (a provider's,
 * a server's, a token's, another local user's or process's). Anything else must go through quote.ts.
 */
const ALLOWED: Record<string, Record<string, string>> = {
  // Pieces allowed in any file (the login command's files are being reorganised; the reasons hold wherever).
  '*': {
    'Math.floor(left / 60)': 'a number (the minutes left of a device-code sign-in)',
    "String(left % 60).padStart(2, '0')": 'a number (the seconds left of a device-code sign-in)',
    'url.href':
      'a WHATWG URL: its href is printable ASCII (controls, spaces and non-ASCII are percent-encoded, hosts punycode)',
    port: "a port number (a URL's port is digits only)",
    'sshTunnel(Number(port))': 'an ssh command line made from a port number and the host of SSH_CONNECTION',
  },
  'output/terminal.ts': {
    line: "say's own definition: its callers are checked",
    text: "statusLine().update's own definition: its callers are checked",
  },
  'errors.ts': {
    l: "reportError's writer: its calls are checked",
    "e?.stack ?? ''": 'a stack trace, shown only when the user sets TOKENLOOP_DEBUG to see one',
  },
  'main.ts': {
    s: "commander's own help and usage messages (the program's definitions and the arguments the user typed)",
  },
  'commands/token/run-token.ts': { s: 'the default of the `out` parameter: its calls are checked' },
  'commands/decode/run-decode.ts': {
    s: 'the default of the `out` parameter: its calls are checked',
    "lines.join('\\n')": 'every line was pushed through `lines.push`, a checked sink',
  },
  'commands/accounts/run-whoami.ts': {
    key: "one of the fixed names 'jobTitle', 'id', 'sub'",
    "lines.join('\\n')": 'every line was pushed through `lines.push`, a checked sink',
  },
  'commands/status/run-status.ts': {
    label: "the profile's name from the user's own configuration file (S81), or a fixed text",
    'v.authority': "from the user's own configuration file (S81) or their command line",
    'v.issuer': "from the user's own configuration file (S81) or their command line",
    'v.clientId': "from the user's own configuration file (S81) or their command line",
    'v.login': 'a `tokenloop login` command line made from the settings above (login-command.ts)',
    expiry: 'made here from a date and relativeTime()',
    'text(views, Date.now())': 'the lines of text(), each pushed through `lines.push`, a checked sink',
  },
  'commands/agent/run-agent.ts': {
    line: "say's argument: its calls are checked",
    'process.pid': 'a number',
    'before.pid': "a number (the agent's answer, checked by parseAgentAnswer)",
    'state.pid': "a number (the agent's answer, checked by parseAgentAnswer)",
    'answer.pid': "a number (the agent's answer, checked by parseAgentAnswer)",
    stderr: "the agent child's own error lines, written by reportError (a checked sink) in that process",
    'agentLine(state)': 'made by agentLine(), which quotes the socket path with terminalText',
  },
  'commands/completion/run-completion.ts': { script: 'a shell script made by this file' },
  'commands/completion/bash-script.ts': {
    'pattern(`${e.path}|${flag}`)': "a command's path and option, from the command table (main.ts)",
    action: 'a fixed shell action, or fixed words from the command table (main.ts)',
  },
  'commands/completion/fish-script.ts': {
    when: "a fixed condition on a command's path from the command table (main.ts)",
    "quoted(e.subs.join(' '))": 'sub-command names from the command table (main.ts)',
    'argsOf(e.args)': 'a fixed fish argument, or fixed words from the command table (main.ts)',
    'argsOf(values)': 'a fixed fish argument, or fixed words from the command table (main.ts)',
    'flagOf(option)': 'an option name from the command table (main.ts)',
  },
  'commands/doctor/doctor-report.ts': { 'c.name': 'the fixed name of each check' },
  'commands/emulator.ts': {
    'describe(emulator, readyMs, opts.autoLogin)':
      "the emulator's start-up summary: its URL and the apps and users of the user's own configuration",
  },
  'commands/login/run-login.ts': {
    who: 'terminalText(username) just above',
    'settings.profileName': "the profile's name, from the user's own configuration or command line",
    line: 'the messages of rememberLogin() (config/remember-login.ts), which quote the usernames they name',
    name: 'accountArgument(): a username or id of plain word characters only ([\\w.@+-]), else the word NAME',
    'remembered.profile': "the profile's name, from the user's own configuration or command line",
  },
  'commands/accounts/run-accounts.ts': {
    use: "a fixed `tokenloop account use` command with the profile's name, from the user's own configuration or command line",
  },
  'commands/accounts/run-account-use.ts': {
    'settings.profileName': "the profile's name, from the user's own configuration or command line",
  },
  'commands/profile/run-profile.ts': {
    name: 'the profile name the user typed (checked against the profile-name pattern)',
    n: "a profile's name in the user's own configuration file (S81)",
    "p.authority ?? p.issuer ?? ''": "from the user's own configuration file (S81)",
    'p.clientId': "from the user's own configuration file (S81)",
    'trusting.file': 'the path of the CA certificate file the user named or the emulator keeps',
    'trusting.note': 'a fixed note made by emulatorCa()',
  },
  'output/network-wait.ts': {
    'REQUEST_TIMEOUT_MS / 1000': 'a number',
    attempts: 'a number (a parameter typed number)',
    'n.attempt': "a number (the HTTP client's retry notice)",
    'n.attempts': "a number (the HTTP client's retry notice)",
    'retryCause(n)':
      "made by retryCause(), which quotes the URL, the host and the library's reason with terminalText",
  },
  'commands/mail/run-mail-test.ts': {
    mechanism: 'checked to be XOAUTH2 or OAUTHBEARER',
    'endpoint.scheme': 'one of the fixed schemes of parseMailEndpoint',
    'endpoint.port': 'a number',
  },
  'commands/mail/proxy/run-mail-password.ts': {
    password: 'made here by newPassword(): 18 random bytes in base64url (nothing is printed with --stdin)',
  },
  'commands/mail/proxy/run-mail-proxy.ts': {
    'new Date().toISOString()': 'a date',
    'l.protocol': 'imap, pop3 or smtp',
    'l.host': 'a loopback address (parseListener refuses anything else)',
    'u.scheme': 'one of the fixed schemes of parseMailEndpoint',
    'u.port': 'a number',
  },
};

describe('S74 sweep: everything the CLI writes to stdout or stderr passes through quote.ts', () => {
  it('S74 tokenText, counted as quoting, returns formatToken’s output and nothing else', () => {
    const source = readFileSync(join(SRC, 'commands/token/token-request.ts'), 'utf8');
    const body = source.slice(source.indexOf('export async function tokenText('));
    const returns = [...body.slice(0, body.indexOf('\n}\n')).matchAll(/\breturn\b([^;]*);/g)].map((m) =>
      m[1]!.trim(),
    );
    assert.deepEqual(returns, ['formatToken(result, request.format, { user: request.user })']);
  });
  const SRC = join(import.meta.dirname, '..', 'src');
  const files = sourceFiles(SRC, { names: TS_NAME, except: (p) => p.endsWith(join('output', 'quote.ts')) });
  const calls = files.flatMap((f) =>
    sinkCallsIn(readFileSync(f, 'utf8')).map((c) => ({ ...c, file: relative(SRC, f).split('\\').join('/') })),
  );
  const offenders = calls.flatMap(({ file, sink, arg }) =>
    rawPieces(arg, (piece) => ALLOWED[file]?.[piece] !== undefined || ALLOWED['*']![piece] !== undefined).map(
      (piece) => `${file}: ${sink}(…${piece.replace(/\s+/g, ' ')}…)`,
    ),
  );

  it('S74 every piece written is a constant, quoted by quote.ts, or allowed with a reason', () => {
    assert.ok(calls.length > 60, `the output statements were found (${calls.length})`);
    assert.deepEqual(offenders, []);
  });

  it('S74 status lines are always named `line`, so that the sweep sees their updates', () => {
    const elsewhere = files.filter((f) =>
      /(?<!const line = )statusLine\(\)/.test(withoutComments(readFileSync(f, 'utf8'))),
    );
    assert.deepEqual(
      elsewhere.map((f) => relative(SRC, f)),
      [join('output', 'terminal.ts')],
    );
  });

  it('S74 the sweep catches what was reported and the ways around it', () => {
    const raw = (source: string) =>
      sinkCallsIn(source).flatMap(({ sink, arg }) => rawPieces(arg, () => false).map((p) => `${sink}: ${p}`));
    // The reported lines, and other shapes of the same mistake.
    const BAD: [string, string[]][] = [
      ['say(`  likely cause: ${cause!.cause}`);', ['say: cause!.cause']],
      ['lines.push(`warning: ${w}`);', ['lines.push: w']],
      ["console.error('claim: ' + claim);", ['console.error: claim']],
      [
        'process.stdout.write(`${ok ? paint("green", name) : `fail ${why}`}\\n`);',
        ['process.stdout.write: name', 'process.stdout.write: why'],
      ],
      ['out(`${terminalText(a)}${b}`); // a comment: say(x)', ['out: b']],
      ['write(`${x ?? terminalText(y)}`);', ['write: x ?? terminalText(y)']],
      ['process.stderr.write(terminalText(a) + b);', ['process.stderr.write: b']],
      ['line.update(`${"}"} ${/[)]/.test(t) ? t : ""}`);', ['line.update: t']],
    ];
    for (const [source, expected] of BAD) assert.deepEqual(raw(source), expected, source);
    const GOOD = [
      'say(`  likely cause: ${terminalText(cause.cause)}`);',
      "say('fixed');",
      'process.stdout.write(`${jsonLine(v)}\\n`);',
      'socket.write(data); conn.writeLine(line); function say(line: string) {}',
    ];
    for (const source of GOOD) assert.deepEqual(raw(source), [], source);
  });
});
