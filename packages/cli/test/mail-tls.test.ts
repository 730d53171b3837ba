// The TLS Dovecot of the test support (startDovecot(check, { tls: true })): implicit TLS on imaps and pop3s,
// STARTTLS offered on the plain IMAP, POP3 and submission ports, a self-signed certificate for 127.0.0.1 and
// localhost that clients trust through `caFile` / `caPem`; `restart()` cuts sessions and comes back on the same
// ports. Exercised with `tokenloop mail test` (XOAUTH2 with a fresh token over each) and node's TLS client.
import assert from 'node:assert/strict';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, startEmulator } from '@tokenloop/emulator';
import { baseEnv, freshHome, runCli } from './support/cli.js';
import {
  type DovecotTls,
  type RunningDovecot,
  startDovecot,
  emulatorIntrospection,
} from './support/dovecot.js';
import { textClient } from './support/text-client.js';

const ALICE = 'alice@contoso.onmicrosoft.com';

/** A TLS handshake with only `caPem` trusted: was the certificate accepted for this name? */
const handshake = (port: number, ca: string, servername?: string) =>
  new Promise<{ authorized: boolean; error: string | null }>((resolve) => {
    const s = tlsConnect({ host: '127.0.0.1', port, ca, ...(servername ? { servername } : {}) }, () => {
      resolve({ authorized: s.authorized, error: s.authorizationError?.message ?? null });
      s.destroy();
    });
    s.once('error', (err) => resolve({ authorized: false, error: err.message }));
  });

describe('Dovecot test support with TLS: imaps, pop3s, STARTTLS, a certificate to trust, restart', () => {
  let em: RunningEmulator;
  let dovecot: RunningDovecot & DovecotTls;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    em = await startEmulator({ autoLogin: 'alice', settings: { deviceCodeInterval: 1 } });
    dovecot = await startDovecot(emulatorIntrospection(em.url), { tls: true });
    // Node's own trust store plus the test certificate, as a user would add a private CA.
    env = baseEnv(freshHome(), { NODE_EXTRA_CA_CERTS: dovecot.caFile });
    const scopes = ['IMAP.AccessAsUser.All', 'POP.AccessAsUser.All', 'SMTP.Send'].map(
      (s) => `https://outlook.office.com/${s}`,
    );
    const add = await runCli(
      [
        'profile',
        'add',
        'mail',
        '--emulator',
        em.url,
        '--user',
        ALICE,
        ...scopes.flatMap((s) => ['--scope', s]),
      ],
      env,
    );
    assert.equal(add.code, 0, add.stderr);
    const login = await runCli(['login', '--device'], env);
    assert.equal(login.code, 0, login.stderr);
  });
  after(async () => {
    await dovecot?.stop();
    await em?.close();
  });

  const mailTest = async (url: string) => {
    const r = await runCli(['mail', 'test', url, '--json'], env);
    assert.equal(r.code, 0, `${url}: ${r.stderr}\n${dovecot.log().slice(-1500)}`);
    return JSON.parse(r.stdout) as { ok: boolean; tls: boolean; reply: string };
  };

  it('the certificate validates for 127.0.0.1 and localhost with caPem, and not without it', async () => {
    assert.ok(dovecot.caPem.startsWith('-----BEGIN CERTIFICATE-----'));
    for (const port of [dovecot.imaps, dovecot.pop3s]) {
      assert.deepEqual(await handshake(port, dovecot.caPem), { authorized: true, error: null });
      assert.deepEqual(await handshake(port, dovecot.caPem, 'localhost'), { authorized: true, error: null });
    }
    const untrusted = await handshake(dovecot.imaps, '');
    assert.equal(untrusted.authorized, false);
    assert.match(untrusted.error ?? '', /self[- ]signed certificate/);
  });

  it('a fresh token logs in over implicit TLS and over STARTTLS on every port', async () => {
    const urls = [
      `imaps://127.0.0.1:${dovecot.imaps}`,
      `pop3s://127.0.0.1:${dovecot.pop3s}`,
      `imap://127.0.0.1:${dovecot.imap}`,
      `pop3://127.0.0.1:${dovecot.pop3}`,
      `submission://127.0.0.1:${dovecot.submission}`,
    ];
    for (const [i, out] of (await Promise.all(urls.map(mailTest))).entries()) {
      assert.equal(out.ok, true, urls[i]);
      assert.equal(out.tls, true, `${urls[i]}: the login went over TLS`);
    }
    assert.match(
      dovecot.log(),
      new RegExp(`imap-login: Info: Login: user=<${ALICE}>, method=XOAUTH2, .*\\bTLS\\b`),
    );
  });

  it('STARTTLS is offered, not required: the plain ports still greet and list it', async () => {
    const c = await textClient(dovecot.imap);
    await c.waitFor(/^\* OK/);
    c.send('a1 CAPABILITY');
    const caps = (await c.waitFor(/^a1 /)).join(' ');
    c.close();
    assert.match(caps, /\bSTARTTLS\b/);
    assert.match(caps, /AUTH=XOAUTH2/, 'mechanisms are offered before TLS too (ssl = yes, not required)');
  });

  it('restart() cuts open sessions and serves the same ports again', async () => {
    const ports = [dovecot.imap, dovecot.imaps, dovecot.pop3, dovecot.pop3s, dovecot.submission];
    const open = await textClient(dovecot.imap);
    await open.waitFor(/^\* OK/);
    await dovecot.restart();
    await open.closed; // the old server's session is gone
    assert.deepEqual([dovecot.imap, dovecot.imaps, dovecot.pop3, dovecot.pop3s, dovecot.submission], ports);
    const out = await mailTest(`imaps://127.0.0.1:${dovecot.imaps}`);
    assert.equal(out.ok, true);
    assert.equal(out.tls, true);
  });
});
