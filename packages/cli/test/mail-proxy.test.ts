// `tokenloop mail proxy` between password-only clients and a real Dovecot (IMAP, POP3, submission) that
// checks tokens through the emulator's introspection endpoint: local passwords in, XOAUTH2 with fresh tokens
// out, the session relayed; it survives the server restarting mid-session and the token expiring meanwhile.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, startEmulator } from '@tokenloop/emulator';
import { ImapFlow } from 'imapflow';
import { baseEnv, freshHome, runCli } from './support/cli.js';
import { type RunningDovecot, startDovecot, emulatorIntrospection } from './support/dovecot.js';
import { type RunningProxy, startProxy } from './support/mail-proxy.js';
import { type TextClient, textClient } from './support/text-client.js';

const ALICE = 'alice@contoso.onmicrosoft.com';
const BOB = 'bob@contoso.onmicrosoft.com';
const PASSWORD = 'correct horse battery staple';
const SCOPES = ['IMAP', 'POP', 'SMTP'].map(
  (p) => `https://outlook.office.com/${p === 'SMTP' ? 'SMTP.Send' : `${p}.AccessAsUser.All`}`,
);
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** imapflow as a password-only program: plain IMAP to the proxy's loopback port, the local password. */
const imapThroughProxy = (proxy: RunningProxy) =>
  new ImapFlow({
    host: '127.0.0.1',
    port: proxy.ports.imap!,
    secure: false,
    doSTARTTLS: false,
    auth: { user: ALICE, pass: PASSWORD },
    logger: false,
  });

describe('mail proxy: password-only clients to a real Dovecot over XOAUTH2', () => {
  const LIFETIME = 8;
  let em: RunningEmulator;
  let dovecot: RunningDovecot;
  let proxy: RunningProxy;
  let home: string;
  let token: string;
  before(async () => {
    em = await startEmulator({
      autoLogin: 'alice',
      settings: { deviceCodeInterval: 1, accessTokenLifetime: LIFETIME },
    });
    dovecot = await startDovecot(emulatorIntrospection(em.url), { tls: true });
    home = freshHome();
    const env = baseEnv(home, { NODE_EXTRA_CA_CERTS: dovecot.certFile });
    const add = await runCli(
      ['profile', 'add', 'mail', '--emulator', em.url, ...SCOPES.flatMap((s) => ['--scope', s])],
      env,
    );
    assert.equal(add.code, 0, add.stderr);
    const login = await runCli(['login', '--device'], env);
    assert.equal(login.code, 0, login.stderr);
    for (const user of [ALICE, BOB]) {
      const set = await runCli(['mail', 'password', user, '--stdin'], env, `${PASSWORD}\n`);
      assert.equal(set.code, 0, set.stderr);
    }
    const t = await runCli(['token', '--scope', SCOPES[0]!], env);
    token = t.stdout.trim();
    proxy = await startProxy(
      [
        '--imap',
        `0=imaps://127.0.0.1:${dovecot.imaps}`,
        '--pop3',
        `0=pop3://127.0.0.1:${dovecot.pop3}`, // STARTTLS
        '--smtp',
        `0=submission://127.0.0.1:${dovecot.submission}`, // STARTTLS
      ],
      env,
    );
  });
  after(async () => {
    const code = await proxy?.stop();
    assert.equal(code, 0, 'the proxy ends cleanly on SIGTERM');
    // What the proxy logged: who logged in where, never a password or a token.
    const log = proxy?.log() ?? '';
    assert.ok(!log.includes(PASSWORD), 'the log holds no local password');
    assert.ok(token && !log.includes(token.slice(0, 40)), 'the log holds no token');
    await dovecot?.stop();
    await em?.close();
  });

  it('IMAP: imapflow logs in with the local password, appends and reads a message', async () => {
    const imap = imapThroughProxy(proxy);
    await imap.connect();
    const subject = `proxy test ${Date.now()}`;
    await imap.append('INBOX', `From: ${ALICE}\r\nTo: ${ALICE}\r\nSubject: ${subject}\r\n\r\nhello\r\n`);
    const box = await imap.mailboxOpen('INBOX');
    assert.ok(box.exists >= 1);
    const msg = await imap.fetchOne(String(box.exists), { envelope: true });
    assert.ok(msg);
    assert.equal(msg.envelope?.subject, subject);
    await imap.logout();
    assert.match(
      dovecot.log(),
      /imap-login: Info: Login: user=<alice@contoso\.onmicrosoft\.com>, method=XOAUTH2, .*\bTLS\b/,
      'the server saw an XOAUTH2 login as alice over TLS',
    );
  });

  it('IMAP: a wrong local password is refused by the proxy and never reaches the server', async () => {
    const before = dovecot.log().length;
    const c = await textClient(proxy.ports.imap!);
    await c.waitFor(/^\* OK/);
    c.send(`a1 LOGIN "${ALICE}" "not the password"`);
    const lines = await c.waitFor(/^a1 /);
    assert.match(lines.at(-1)!, /^a1 NO \[AUTHENTICATIONFAILED\]/);
    c.send('a2 LOGOUT');
    await c.waitFor(/^a2 OK/);
    c.close();
    assert.doesNotMatch(dovecot.log().slice(before), /Login: user=|auth failed/);
  });

  it('IMAP: LOGIN with a literal password and AUTHENTICATE PLAIN both work', async () => {
    const c = await textClient(proxy.ports.imap!);
    await c.waitFor(/^\* OK/);
    c.send(`a1 LOGIN ${ALICE} {${Buffer.byteLength(PASSWORD)}}`);
    await c.waitFor(/^\+/);
    c.send(PASSWORD);
    const lines = await c.waitFor(/^a1 /);
    assert.match(lines.at(-1)!, /^a1 OK/);
    c.send('a2 SELECT INBOX');
    assert.match((await c.waitFor(/^a2 /)).at(-1)!, /^a2 OK/);
    c.send('a3 LOGOUT');
    await c.waitFor(/^a3 OK/);
    c.close();

    const d = await textClient(proxy.ports.imap!);
    await d.waitFor(/^\* OK/);
    d.send('b1 AUTHENTICATE PLAIN');
    await d.waitFor(/^\+/);
    d.send(b64(`\0${ALICE}\0${PASSWORD}`));
    assert.match((await d.waitFor(/^b1 /)).at(-1)!, /^b1 OK/);
    d.close();
  });

  it('IMAP: a user with a local password but no signed-in account is told to sign in', async () => {
    const c = await textClient(proxy.ports.imap!);
    await c.waitFor(/^\* OK/);
    c.send(`a1 LOGIN "${BOB}" "${PASSWORD}"`);
    const last = (await c.waitFor(/^a1 /)).at(-1)!;
    assert.match(last, /^a1 NO \[AUTHORIZATIONFAILED\] tokenloop: sign-in required for bob@contoso/);
    assert.match(last, /tokenloop login/);
    c.close();
  });

  it('POP3: USER/PASS and AUTH PLAIN log in and STAT works', async () => {
    const c = await textClient(proxy.ports.pop3!);
    await c.waitFor(/^\+OK/);
    c.send(`USER ${ALICE}`);
    await c.waitFor(/^\+OK/);
    c.send(`PASS ${PASSWORD}`);
    assert.match((await c.waitFor(/^[+-]/)).at(-1)!, /^\+OK/);
    c.send('STAT');
    assert.match((await c.waitFor(/^[+-]/)).at(-1)!, /^\+OK \d+ \d+/);
    c.send('QUIT');
    await c.waitFor(/^\+OK/);
    await c.closed;

    const d = await textClient(proxy.ports.pop3!);
    await d.waitFor(/^\+OK/);
    d.send(`AUTH PLAIN ${b64(`\0${ALICE}\0wrong password here`)}`);
    assert.match((await d.waitFor(/^[+-]/)).at(-1)!, /^-ERR \[AUTH\]/);
    d.send(`AUTH PLAIN ${b64(`\0${ALICE}\0${PASSWORD}`)}`);
    assert.match((await d.waitFor(/^[+-]/)).at(-1)!, /^\+OK/);
    d.close();
  });

  it('SMTP: AUTH LOGIN with the local password, then a message reaches the relay', async () => {
    const c = await textClient(proxy.ports.smtp!);
    await c.waitFor(/^220/);
    c.send('EHLO client.test');
    const ehlo = await c.waitFor(/^250 /);
    assert.ok(ehlo.some((l) => /AUTH PLAIN LOGIN/.test(l)));
    c.send('MAIL FROM:<x@y>');
    assert.match((await c.waitFor(/^\d{3} /)).at(-1)!, /^530 /, 'no mail before AUTH');
    c.send('AUTH LOGIN');
    await c.waitFor(/^334 /);
    c.send(b64(ALICE));
    await c.waitFor(/^334 /);
    c.send(b64(PASSWORD));
    assert.match((await c.waitFor(/^\d{3} /)).at(-1)!, /^235 /);
    const subject = `via proxy ${Date.now()}`;
    c.send(`MAIL FROM:<${ALICE}>`);
    await c.waitFor(/^250 /);
    c.send('RCPT TO:<someone@example.test>');
    await c.waitFor(/^250 /);
    c.send('DATA');
    await c.waitFor(/^354 /);
    c.send(`Subject: ${subject}\r\n\r\nhello\r\n.`);
    assert.match((await c.waitFor(/^\d{3} /)).at(-1)!, /^250 /);
    c.send('QUIT');
    await c.closed;
    assert.ok(dovecot.delivered.some((m) => m.includes(subject)));
  });

  it('survives the server restarting mid-session, after the token has expired', async () => {
    const imap = imapThroughProxy(proxy);
    let closed = false;
    imap.on('close', () => (closed = true));
    await imap.connect();
    const box = await imap.mailboxOpen('INBOX');
    const countBefore = box.exists;
    em.resetStats();
    await sleep((LIFETIME + 1) * 1000); // the token the session logged in with has expired now
    await dovecot.restart(); // every IMAP connection to the server is cut
    const status = await imap.status('INBOX', { messages: true });
    assert.ok(status && status.messages === countBefore, 'the message count is unchanged');
    const msg = await imap.fetchOne('*', { envelope: true });
    assert.ok(msg, 'the mailbox is still selected');
    assert.equal(closed, false, 'the client never saw its connection drop');
    await imap.logout();
    const refreshes = em.stats().token_requests.refresh_token ?? {};
    assert.ok(Object.values(refreshes).reduce((a, b) => a + b, 0) >= 1, 'a fresh token was fetched');
    assert.match(proxy.log(), /logged in again and resumed the session/);
  });

  it('after a restart, new POP3 and SMTP sessions log in again', async () => {
    const c = await textClient(proxy.ports.pop3!);
    await c.waitFor(/^\+OK/);
    c.send(`AUTH PLAIN ${b64(`\0${ALICE}\0${PASSWORD}`)}`);
    assert.match((await c.waitFor(/^[+-]/)).at(-1)!, /^\+OK/);
    c.close();
    const s: TextClient = await textClient(proxy.ports.smtp!);
    await s.waitFor(/^220/);
    s.send('EHLO client.test');
    await s.waitFor(/^250 /);
    s.send(`AUTH PLAIN ${b64(`\0${ALICE}\0${PASSWORD}`)}`);
    assert.match((await s.waitFor(/^\d{3} /)).at(-1)!, /^235 /);
    s.close();
  });

  it("after the user's grants are revoked, logins through the proxy are refused", async () => {
    assert.ok(em.revokeUserGrants('alice') >= 1);
    const logins = (dovecot.log().match(/Login: user=/g) ?? []).length;
    const c = await textClient(proxy.ports.imap!);
    await c.waitFor(/^\* OK/);
    c.send(`a1 LOGIN "${ALICE}" "${PASSWORD}"`);
    const last = (await c.waitFor(/^a1 /)).at(-1)!;
    // The server refuses the cached token (introspection: inactive), or the refresh is refused (AADSTS50173)
    // and the client is told to sign in again: which one depends on whether the cached token was due.
    assert.match(
      last,
      /^a1 NO (\[AUTHENTICATIONFAILED\] tokenloop: 127\.0\.0\.1 refused the token|\[AUTHORIZATIONFAILED\] tokenloop: sign-in required)/,
    );
    c.close();
    assert.equal((dovecot.log().match(/Login: user=/g) ?? []).length, logins, 'no login at the server');
  });
});

describe('mail proxy: the server refuses the token (Dovecot validating JWTs locally, audience Outlook)', () => {
  let em: RunningEmulator;
  let dovecot: RunningDovecot;
  let proxy: RunningProxy;
  before(async () => {
    em = await startEmulator({ autoLogin: 'alice', settings: { deviceCodeInterval: 1 } });
    const tenant = `${em.url}/${SAMPLE_IDS.contoso}`;
    dovecot = await startDovecot(
      {
        mode: 'local',
        jwksUrl: `${tenant}/discovery/v2.0/keys`,
        issuer: `${tenant}/`,
        audience: 'https://outlook.office.com',
      },
      { tls: true },
    );
    const env = baseEnv(freshHome(), { NODE_EXTRA_CA_CERTS: dovecot.certFile });
    // The profile asks for Graph only: the proxy's tokens are for the wrong audience.
    assert.equal(
      (await runCli(['profile', 'add', 'graph', '--emulator', em.url, '--scope', 'User.Read'], env)).code,
      0,
    );
    assert.equal((await runCli(['login', '--device'], env)).code, 0);
    assert.equal((await runCli(['mail', 'password', ALICE, '--stdin'], env, `${PASSWORD}\n`)).code, 0);
    proxy = await startProxy(
      [
        '--scope',
        'User.Read',
        '--imap',
        `0=imaps://127.0.0.1:${dovecot.imaps}`,
        '--smtp',
        `0=submission://127.0.0.1:${dovecot.submission}`,
      ],
      env,
    );
  });
  after(async () => {
    await proxy?.stop();
    await dovecot?.stop();
    await em?.close();
  });

  it("IMAP: the client gets AUTHENTICATIONFAILED with the server's decoded challenge", async () => {
    const c = await textClient(proxy.ports.imap!);
    await c.waitFor(/^\* OK/);
    c.send(`a1 LOGIN "${ALICE}" "${PASSWORD}"`);
    const last = (await c.waitFor(/^a1 /)).at(-1)!;
    assert.match(last, /^a1 NO \[AUTHENTICATIONFAILED\] tokenloop: 127\.0\.0\.1 refused the token for alice/);
    assert.match(last, /"status":"(invalid_token|401)"/, 'the RFC 7628 challenge, decoded');
    c.close();
    assert.doesNotMatch(dovecot.log(), /Login: user=/);
  });

  it('SMTP: the client gets 535', async () => {
    const c = await textClient(proxy.ports.smtp!);
    await c.waitFor(/^220/);
    c.send('EHLO client.test');
    await c.waitFor(/^250 /);
    c.send(`AUTH PLAIN ${b64(`\0${ALICE}\0${PASSWORD}`)}`);
    assert.match(
      (await c.waitFor(/^\d{3} /)).at(-1)!,
      /^535 5\.7\.8 tokenloop: 127\.0\.0\.1 refused the token/,
    );
    c.close();
  });
});

describe('mail proxy: configuration errors', () => {
  /** `mail proxy` with one IMAP listener and a provider that is never contacted. */
  const proxyArgs = (listener: string) => [
    ...['mail', 'proxy', '--issuer', 'http://127.0.0.1:9/', '--client-id', 'x'],
    ...['--imap', listener],
  ];

  it('refuses to listen on a non-loopback address, with exit code 2 and no stack', async () => {
    const home = freshHome();
    const r = await runCli(proxyArgs('0.0.0.0:1143=imaps://mail.example.com'), baseEnv(home));
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /listens on loopback addresses only/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it('refuses a listener whose server speaks another protocol', async () => {
    const r = await runCli(proxyArgs('1143=submission://smtp.example.com'), baseEnv(freshHome()));
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /is a smtp server/);
  });

  it('mail password refuses a short password', async () => {
    const r = await runCli(['mail', 'password', ALICE, '--stdin'], baseEnv(freshHome()), 'short\n');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /at least 12 characters/);
  });
});
