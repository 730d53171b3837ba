// S91: a local process without the local password cannot make the mail proxy connect to the real server: every
// front answers everything before login itself (SMTP EHLO too, with the extensions the server offered at the
// last login through that port, or a fixed set), and the upstream connections being set up for logins are
// capped for the whole proxy. Real password-only programs (nodemailer, msmtp) still send through the SMTP front
// to a real Dovecot, and the extensions the server offers reach the next client's EHLO.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, startEmulator } from '@tokenloop/emulator';
import nodemailer from 'nodemailer';
import { baseEnv, freshHome, runCli, tempDir } from './support/cli.js';
import { type RunningDovecot, startDovecot, emulatorIntrospection } from './support/dovecot.js';
import { type HostileServer, startHostileServer } from './support/hostile-mail-server.js';
import { type RunningProxy, startProxy } from './support/mail-proxy.js';
import { type TextClient, textClient } from './support/text-client.js';

const ALICE = 'alice@contoso.onmicrosoft.com';
const PASSWORD = 'correct horse battery staple';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** What the proxy offers at EHLO, keywords only. */
const keywords = (lines: string[]) => lines.slice(1).map((l) => l.slice(4).split(' ')[0]!.toUpperCase());

/** An upstream that greets, answers EHLO / CAPABILITY / CAPA like a server, and counts connections. */
const countingServer = () =>
  startHostileServer({
    greet: (s) => s.write('220 upstream ESMTP\r\n'),
    onLine: (s, l) => {
      if (/^EHLO/i.test(l)) s.write('250-upstream\r\n250-8BITMIME\r\n250 AUTH XOAUTH2\r\n');
    },
  });

describe('S91 before the local password, no front opens a connection to the server', () => {
  let server: HostileServer;
  let proxy: RunningProxy;
  before(async () => {
    server = await countingServer();
    const up = `127.0.0.1:${server.port}`;
    proxy = await startProxy(
      [
        ...['--issuer', 'http://127.0.0.1:9/', '--client-id', 'x'],
        ...['--smtp', `0=smtp://${up}`, '--imap', `0=imap://${up}`, '--pop3', `0=pop3://${up}`],
      ],
      baseEnv(freshHome()),
    );
  });
  after(async () => {
    assert.equal(await proxy?.stop(), 0);
    await server?.close();
  });

  it('S91 smtp: 200 connections with 3 EHLO each (the reported fan-out) reach the server 0 times', async () => {
    const before = server.connections();
    const clients: TextClient[] = [];
    for (let i = 0; i < 200; i++) {
      const c = await textClient(proxy.ports.smtp!);
      c.send('EHLO a');
      c.send('EHLO b');
      c.send('EHLO c');
      clients.push(c);
    }
    for (const c of clients) {
      await c.waitFor(/^220 /);
      for (let i = 0; i < 3; i++) assert.ok(keywords(await c.waitFor(/^250 /)).includes('AUTH'));
    }
    for (const c of clients) c.close();
    assert.equal(server.connections() - before, 0, 'no upstream connection');
  });

  const PRE_LOGIN: { front: 'smtp' | 'imap' | 'pop3'; lines: string[] }[] = [
    {
      front: 'smtp',
      lines: [
        'EHLO x',
        'HELO x',
        'NOOP',
        'RSET',
        'STARTTLS',
        'MAIL FROM:<a@b>',
        'VRFY x',
        'AUTH XOAUTH2',
        'QUIT',
      ],
    },
    {
      front: 'imap',
      lines: ['a CAPABILITY', 'b NOOP', 'c ID NIL', 'd STARTTLS', 'e SELECT INBOX', 'f LOGOUT'],
    },
    { front: 'pop3', lines: ['CAPA', 'NOOP', 'AUTH', 'STLS', 'STAT', 'USER x', 'QUIT'] },
  ];
  for (const { front, lines } of PRE_LOGIN) {
    it(`S91 ${front}: no command before the local password reaches the server`, async () => {
      const before = server.connections();
      const c = await textClient(proxy.ports[front]!);
      for (const line of lines) c.send(line);
      await c.closed; // the last command ends the session
      assert.equal(server.connections() - before, 0, 'no upstream connection');
    });
  }
});

describe('S91 upstream connections being set up for logins are capped for the whole proxy', () => {
  it('S91 24 overlapping logins with the right password hold at most 8 upstream connections at once', async () => {
    // The server greets only after 6 s, so that logins overlap; no token can be had (no provider). It counts the
    // connections waiting for its greeting: logins being set up (a closed one is never among them).
    let settingUp = 0;
    let maxSettingUp = 0;
    const server = await startHostileServer({
      greet: (s) => {
        maxSettingUp = Math.max(maxSettingUp, ++settingUp);
        setTimeout(() => {
          settingUp--;
          s.write('* OK slow upstream\r\n');
        }, 6000);
      },
      onLine: (s, l) => {
        const tag = l.split(' ')[0];
        if (/ CAPABILITY$/i.test(l)) s.write(`* CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2\r\n${tag} OK\r\n`);
      },
    });
    const env = baseEnv(freshHome());
    const set = await runCli(['mail', 'password', ALICE, '--stdin'], env, `${PASSWORD}\n`);
    assert.equal(set.code, 0, set.stderr);
    const proxy = await startProxy(
      [
        ...['--issuer', 'http://127.0.0.1:9/', '--client-id', 'x'],
        ...['--imap', `0=imap://127.0.0.1:${server.port}`],
      ],
      env,
    );
    try {
      // One login every 300 ms: each password check is over before the next (the S77 throttle stays out of
      // it), while every upstream connection stays open for 6 s.
      const clients: TextClient[] = [];
      for (let i = 0; i < 24; i++) {
        const c = await textClient(proxy.ports.imap!);
        c.send(`a1 LOGIN "${ALICE}" "${PASSWORD}"`);
        clients.push(c);
        await sleep(300);
      }
      const replies = await Promise.all(clients.map(async (c) => (await c.waitFor(/^a1 /, 60_000)).at(-1)!));
      for (const c of clients) c.close();
      for (const r of replies) assert.match(r, /^a1 NO \[(UNAVAILABLE|AUTHORIZATIONFAILED)\] tokenloop: /);
      assert.doesNotMatch(replies.join('\n'), /too many failed logins/, 'the password throttle did not act');
      assert.equal(server.connections(), 24, 'every login reached the server, in turn');
      assert.ok(maxSettingUp <= 8, `at most 8 at once, saw ${maxSettingUp}`);
    } finally {
      assert.equal(await proxy.stop(), 0);
      await server.close();
    }
  });
});

describe('S91 real programs send through the SMTP front (EHLO answered by the proxy) to a real Dovecot', () => {
  let em: RunningEmulator;
  let dovecot: RunningDovecot;
  let proxy: RunningProxy;
  let home: string;
  before(async () => {
    em = await startEmulator({ autoLogin: 'alice', settings: { deviceCodeInterval: 1 } });
    dovecot = await startDovecot(emulatorIntrospection(em.url), { tls: true });
    home = freshHome();
    const env = baseEnv(home, { NODE_EXTRA_CA_CERTS: dovecot.certFile });
    const add = await runCli(
      ['profile', 'add', 'mail', '--emulator', em.url, '--scope', 'https://outlook.office.com/SMTP.Send'],
      env,
    );
    assert.equal(add.code, 0, add.stderr);
    assert.equal((await runCli(['login', '--device'], env)).code, 0);
    assert.equal((await runCli(['mail', 'password', ALICE, '--stdin'], env, `${PASSWORD}\n`)).code, 0);
    proxy = await startProxy(['--smtp', `0=submission://127.0.0.1:${dovecot.submission}`], env);
  });
  after(async () => {
    assert.equal(await proxy?.stop(), 0);
    await dovecot?.stop();
    await em?.close();
  });

  it('S91 nodemailer (AUTH PLAIN and LOGIN with the local password) sends a message', async () => {
    for (const method of ['PLAIN', 'LOGIN']) {
      const subject = `nodemailer via proxy ${method} ${Date.now()}`;
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port: proxy.ports.smtp!,
        secure: false,
        ignoreTLS: true,
        authMethod: method,
        auth: { user: ALICE, pass: PASSWORD },
      });
      try {
        const info = await transport.sendMail({
          from: ALICE,
          to: 'bob@example.test',
          subject,
          text: 'hello',
        });
        assert.match(info.response, /^250 /);
      } finally {
        transport.close();
      }
      for (let i = 0; i < 50 && !dovecot.delivered.some((m) => m.includes(subject)); i++) await sleep(100);
      assert.ok(
        dovecot.delivered.some((m) => m.includes(subject)),
        'the message reached the server',
      );
    }
  });

  it('S91 msmtp (auth plain and login, tls off to the loopback port) sends a message', async () => {
    const dir = tempDir('tl-msmtp-');
    for (const auth of ['plain', 'login']) {
      const rc = join(dir, `msmtprc-${auth}`);
      writeFileSync(
        rc,
        `account proxy\nhost 127.0.0.1\nport ${proxy.ports.smtp}\ntls off\nauth ${auth}\nuser ${ALICE}\npassword ${PASSWORD}\nfrom ${ALICE}\naccount default : proxy\n`,
        { mode: 0o600 },
      );
      const subject = `msmtp via proxy ${auth} ${Date.now()}`;
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn('msmtp', ['-C', rc, 'bob@example.test'], { stdio: ['pipe', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.stdin.end(`From: ${ALICE}\nTo: bob@example.test\nSubject: ${subject}\n\nhello\n`);
        child.once('exit', (code) => resolve({ code, stderr }));
      });
      assert.equal(r.code, 0, r.stderr);
      for (let i = 0; i < 50 && !dovecot.delivered.some((m) => m.includes(subject)); i++) await sleep(100);
      assert.ok(
        dovecot.delivered.some((m) => m.includes(subject)),
        'the message reached the server',
      );
    }
  });

  it("S91 after a login, EHLO offers the server's own extensions (without its AUTH and STARTTLS)", async () => {
    const first = await textClient(proxy.ports.smtp!);
    await first.waitFor(/^220 /);
    first.send('EHLO client.test');
    await first.waitFor(/^250 /);
    first.send(`AUTH PLAIN ${b64(`\0${ALICE}\0${PASSWORD}`)}`);
    assert.match((await first.waitFor(/^\d{3} /)).at(-1)!, /^235 /);
    first.send('QUIT');
    await first.closed;
    const c = await textClient(proxy.ports.smtp!);
    await c.waitFor(/^220 /);
    c.send('EHLO client.test');
    const offered = keywords(await c.waitFor(/^250 /));
    c.close();
    assert.ok(offered.includes('PIPELINING') && offered.includes('8BITMIME'), offered.join(' '));
    assert.deepEqual(
      offered.filter((k) => k === 'AUTH' || k === 'STARTTLS'),
      ['AUTH'],
      "AUTH PLAIN LOGIN is the proxy's own; STARTTLS is not offered",
    );
  });
});
