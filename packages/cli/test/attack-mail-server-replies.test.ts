// S90: what a mail server sends before a session is relayed is bounded in lines, bytes and time, in `mail test`
// and in the mail proxy. Hostile loopback servers answer each step of the conversation without end — a
// multi-line greeting that never ends, endless EHLO / CAPABILITY / CAPA lines (short and long), one endless line,
// SASL challenges without end, IMAP capabilities after login without end, a greeting that drips a line every few
// seconds — and the CLI must drop the connection in bounded time and memory with an error naming the bound. A
// source sweep checks that every server connection of the mail code is opened where the bounds are applied, and
// that nothing else reads from a server socket but the relays after login (S76).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, startEmulator } from '@tokenloop/emulator';
import { BIN, baseEnv, freshHome, runCli } from './support/cli.js';
import { type HostileServer, type Script, startHostileServer } from './support/hostile-mail-server.js';
import { type RunningProxy, startProxy } from './support/mail-proxy.js';
import { textClient } from './support/text-client.js';
import { TS_NAME, sourceFiles } from '../../tokenloop/test/support/package-sources.js';

const MiB = 1024 * 1024;
const ALICE = 'alice@contoso.onmicrosoft.com';
const PASSWORD = 'correct horse battery staple';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A token-shaped string for `--token-stdin` (the hostile servers accept anything or never get that far). */
const TOKEN = `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from('{"exp":9999999999}').toString('base64url')}.c2ln`;
/** The CLI's error for a server that passed a bound (S90), or the line bound. */
const BOUND =
  /the server (sent more than \d+ (lines|bytes)|took more than \d+ s in all to answer) before the session; connection closed|the peer sent a line longer than \d+ bytes/;
/** The processes under attack get a small heap, so that a failure is a crash, not the machine's memory. */
const SMALL_HEAP = { NODE_OPTIONS: '--max-old-space-size=192' };

const rssOf = (pid: number): number => {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(m, 'VmRSS is readable');
  return Number(m[1]) * 1024;
};

/** Runs the CLI, killing it after `ms` (a hang is a failure, not a stuck test). */
function runWithin(
  args: string[],
  env: NodeJS.ProcessEnv,
  input: string,
  ms: number,
): Promise<{
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  ms: number;
  killed: boolean;
}> {
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  let killed = false;
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input);
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, ms);
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr: stderr.slice(0, 4000), ms: Date.now() - started, killed });
    }),
  );
}

/** Each step of a conversation, answered without end. */
const SMTP_OK_EHLO = '250-hostile.test\r\n250 AUTH XOAUTH2\r\n';
const CASES: { name: string; scheme: 'smtp' | 'imap' | 'pop3'; script: Script }[] = [
  {
    name: 'an SMTP greeting whose 220- lines never end',
    scheme: 'smtp',
    script: { greet: (s, p) => p.flood(s, '220-hostile greeting\r\n') },
  },
  {
    name: 'endless short EHLO lines',
    scheme: 'smtp',
    script: {
      greet: (s) => s.write('220 hostile ESMTP\r\n'),
      onLine: (s, l, p) => /^EHLO/i.test(l) && p.flood(s, '250-X\r\n'),
    },
  },
  {
    name: 'endless long EHLO lines',
    scheme: 'smtp',
    script: {
      greet: (s) => s.write('220 hostile ESMTP\r\n'),
      onLine: (s, l, p) => /^EHLO/i.test(l) && p.flood(s, `250-${'A'.repeat(60_000)}\r\n`),
    },
  },
  {
    name: 'one endless EHLO line',
    scheme: 'smtp',
    script: {
      greet: (s) => s.write('220 hostile ESMTP\r\n'),
      onLine: (s, l, p) => /^EHLO/i.test(l) && p.flood(s, 'A'.repeat(1000)),
    },
  },
  {
    name: 'endless IMAP CAPABILITY lines',
    scheme: 'imap',
    script: {
      greet: (s) => s.write('* OK hostile\r\n'),
      onLine: (s, l, p) => / CAPABILITY$/i.test(l) && p.flood(s, '* CAPABILITY IMAP4rev1 AUTH=XOAUTH2\r\n'),
    },
  },
  {
    name: 'a POP3 CAPA list without its final dot',
    scheme: 'pop3',
    script: {
      greet: (s) => s.write('+OK hostile\r\n'),
      onLine: (s, l, p) => {
        if (!/^CAPA/i.test(l)) return;
        s.write('+OK\r\n');
        p.flood(s, 'SASL XOAUTH2\r\n');
      },
    },
  },
  {
    name: 'endless untagged lines after IMAP AUTHENTICATE',
    scheme: 'imap',
    script: {
      greet: (s) => s.write('* OK hostile\r\n'),
      onLine: (s, l, p) => {
        const tag = l.split(' ')[0];
        if (/ CAPABILITY$/i.test(l)) s.write(`* CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2\r\n${tag} OK\r\n`);
        else if (/ AUTHENTICATE /i.test(l)) p.flood(s, '* OK still checking\r\n');
      },
    },
  },
  {
    name: 'SMTP SASL challenges without end',
    scheme: 'smtp',
    script: {
      greet: (s) => s.write('220 hostile ESMTP\r\n'),
      onLine: (s, l) => s.write(/^EHLO/i.test(l) ? SMTP_OK_EHLO : '334 e30=\r\n'),
    },
  },
  {
    name: 'POP3 SASL challenges without end',
    scheme: 'pop3',
    script: {
      greet: (s) => s.write('+OK hostile\r\n'),
      onLine: (s, l) => s.write(/^CAPA/i.test(l) ? '+OK\r\nSASL XOAUTH2\r\n.\r\n' : '+ e30=\r\n'),
    },
  },
];

describe(
  'S90 mail test: a server that answers without end is dropped, with the bound it passed',
  {
    concurrency: true,
  },
  () => {
    for (const c of CASES) {
      it(`S90 mail test ${c.scheme}: ${c.name}`, async () => {
        const server: HostileServer = await startHostileServer(c.script);
        try {
          const r = await runWithin(
            ['mail', 'test', `${c.scheme}://127.0.0.1:${server.port}`, '--user', ALICE, '--token-stdin'],
            baseEnv(freshHome(), SMALL_HEAP),
            TOKEN,
            30_000,
          );
          assert.equal(r.killed, false, `mail test ended by itself (within ${r.ms} ms)`);
          assert.equal(r.signal, null, `mail test did not crash: ${r.stderr.slice(-300)}`);
          assert.equal(r.code, 1, r.stderr);
          assert.match(r.stderr, BOUND);
          assert.match(r.stderr, new RegExp(`^tokenloop: ${c.scheme}://127\\.0\\.0\\.1:${server.port}: `));
          assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
          await server.allClosed();
        } finally {
          await server.close();
        }
      });
    }

    it('S90 mail test smtp: a greeting that drips a line every 5 s is dropped after 60 s in all', async () => {
      const server = await startHostileServer({
        greet: (s, p) => {
          s.write('220-slow\r\n');
          p.drip(s, '220-still greeting\r\n', 5000);
        },
      });
      try {
        const r = await runWithin(
          ['mail', 'test', `smtp://127.0.0.1:${server.port}`, '--user', ALICE, '--token-stdin'],
          baseEnv(freshHome(), SMALL_HEAP),
          TOKEN,
          100_000,
        );
        assert.equal(r.killed, false, `mail test ended by itself (after ${r.ms} ms)`);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /the server took more than 60 s in all to answer before the session/);
        assert.ok(r.ms >= 55_000 && r.ms < 80_000, `dropped after ${r.ms} ms`);
      } finally {
        await server.close();
      }
    });
  },
);

describe('S90 mail proxy: a hostile upstream cannot grow the proxy or hold a login forever', () => {
  let em: RunningEmulator;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    em = await startEmulator({ autoLogin: 'alice', settings: { deviceCodeInterval: 1 } });
    env = baseEnv(freshHome(), SMALL_HEAP);
    const scopes = ['IMAP.AccessAsUser.All', 'SMTP.Send'].map((s) => `https://outlook.office.com/${s}`);
    const add = await runCli(
      ['profile', 'add', 'mail', '--emulator', em.url, ...scopes.flatMap((s) => ['--scope', s])],
      env,
    );
    assert.equal(add.code, 0, add.stderr);
    const login = await runCli(['login', '--device'], env);
    assert.equal(login.code, 0, login.stderr);
    const set = await runCli(['mail', 'password', ALICE, '--stdin'], env, `${PASSWORD}\n`);
    assert.equal(set.code, 0, set.stderr);
  });
  after(async () => {
    await em?.close();
  });

  it('S90 smtp: an upstream that floods its EHLO answer (the reported case) leaves the proxy alive and small', async () => {
    const server = await startHostileServer({
      greet: (s) => s.write('220 hostile ESMTP\r\n'),
      onLine: (s, l, p) => /^EHLO/i.test(l) && p.flood(s, `250-${'A'.repeat(900_000)}\r\n`),
    });
    const proxy: RunningProxy = await startProxy(['--smtp', `0=smtp://127.0.0.1:${server.port}`], env);
    try {
      await sleep(300);
      const resting = rssOf(proxy.pid);
      const c = await textClient(proxy.ports.smtp!);
      await c.waitFor(/^220 /);
      c.send('EHLO client.test');
      await c.waitFor(/^250 /, 30_000);
      c.send(`AUTH PLAIN ${b64(`\0${ALICE}\0${PASSWORD}`)}`);
      const last = (await c.waitFor(/^\d{3} /, 30_000)).at(-1)!;
      assert.match(last, /^454 4\.7\.0 tokenloop: /);
      assert.match(last, BOUND);
      c.close();
      const grown = rssOf(proxy.pid) - resting;
      assert.ok(grown < 64 * MiB, `the proxy grew by ${Math.round(grown / MiB)} MiB`);
      assert.match(proxy.log(), /upstream login failed: .*(sent more than|sent a line longer than)/);
      await server.allClosed();
    } finally {
      assert.equal(await proxy.stop(), 0, 'the proxy was still running and ended cleanly');
      await server.close();
    }
  });

  it('S90 imap: capabilities without end after the login are cut off and the client told', async () => {
    const server = await startHostileServer({
      greet: (s) => s.write('* OK hostile\r\n'),
      onLine: (s, l, p) => {
        const tag = l.split(' ')[0];
        if (/ CAPABILITY$/i.test(l) && tag !== 'a2')
          s.write(`* CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2\r\n${tag} OK\r\n`);
        else if (/ AUTHENTICATE /i.test(l)) s.write(`${tag} OK logged in\r\n`);
        else if (/ CAPABILITY$/i.test(l)) p.flood(s, '* CAPABILITY IMAP4rev1 X-ENDLESS\r\n');
      },
    });
    const proxy = await startProxy(['--imap', `0=imap://127.0.0.1:${server.port}`], env);
    try {
      const c = await textClient(proxy.ports.imap!);
      await c.waitFor(/^\* OK/);
      c.send(`a1 LOGIN "${ALICE}" "${PASSWORD}"`);
      const last = (await c.waitFor(/^a1 /, 30_000)).at(-1)!;
      assert.match(last, /^a1 NO \[UNAVAILABLE\] tokenloop: /);
      assert.match(last, BOUND);
      c.close();
      await server.allClosed();
    } finally {
      assert.equal(await proxy.stop(), 0, 'the proxy was still running and ended cleanly');
      await server.close();
    }
  });
});

describe('S90 sweep: every read of a mail server goes through the bounded line reader or a relay', () => {
  const MAIL = join(import.meta.dirname, '..', 'src', 'commands', 'mail');
  const files = sourceFiles(MAIL, { names: TS_NAME });
  const rel = (f: string) => relative(MAIL, f).split('\\').join('/');
  const code = (f: string) =>
    readFileSync(f, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/(^|[^:])\/\/.*$/gm, '$1');
  const using = (pattern: RegExp) =>
    files
      .filter((f) => pattern.test(code(f)))
      .map(rel)
      .sort();

  it('S90 connections to servers are opened only by openLineConnection, which always applies the bounds', () => {
    assert.ok(files.length > 15, 'the mail sources were found');
    assert.deepEqual(using(/\b(connect|createConnection|tlsConnect|tcpConnect)\s*\(/), [
      'line-connection.ts',
    ]);
    const open = /export async function openLineConnection\([\s\S]*?\n\}\n/.exec(
      code(join(MAIL, 'line-connection.ts')),
    )?.[0];
    assert.ok(open, 'openLineConnection is found');
    assert.match(
      open,
      /wrapSocket\(socket, \{[^}]*budget: SERVER_READ_BUDGET,[^}]*maxLine: SERVER_MAX_LINE,/,
    );
    assert.doesNotMatch(open, /\bo\.(budget|maxLine)\b/, 'no caller can loosen them');
  });

  it('S90 line readers are made for servers by openLineConnection and for mail programs by frontConnection only', () => {
    assert.deepEqual(using(/\bwrapSocket\s*\(/), ['line-connection.ts', 'proxy/front-connection.ts']);
  });

  it('S90 raw socket data is read only by the line reader and by the relays after login (S76)', () => {
    assert.deepEqual(using(/\.on\(\s*'data'/), [
      'line-connection.ts',
      'proxy/imap-relay.ts',
      'proxy/pipe-session.ts',
    ]);
  });
});
