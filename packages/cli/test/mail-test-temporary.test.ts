// `tokenloop mail test` against scripted loopback servers that answer the login with a temporary failure (SMTP
// 4xx, IMAP [UNAVAILABLE], POP3 [SYS/TEMP] / [IN-USE]): exit 3 (temporary) with a message that does not blame the
// token, as the mail proxy does with the same answers; a permanent refusal still exits 1 with the token's cause.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXIT } from '../src/exit-codes.js';
import { baseEnv, freshHome, runCli } from './support/cli.js';
import { type Script, startHostileServer } from './support/hostile-mail-server.js';

const ALICE = 'alice@contoso.onmicrosoft.com';
/** A token-shaped string for `--token-stdin` (the scripted servers accept or refuse anything). */
const TOKEN = `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from('{"exp":9999999999,"aud":"https://outlook.office.com"}').toString('base64url')}.c2ln`;

/** A server of `scheme` whose SASL login is answered with `reply` (`TAG` is the IMAP command's tag). */
function answering(scheme: 'imap' | 'pop3' | 'smtp', reply: string): Script {
  if (scheme === 'imap')
    return {
      greet: (s) => s.write('* OK scripted\r\n'),
      onLine: (s, l) => {
        const tag = l.split(' ')[0] ?? '*';
        if (/ CAPABILITY$/i.test(l)) s.write(`* CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2\r\n${tag} OK\r\n`);
        else if (/ AUTHENTICATE /i.test(l)) s.write(`${reply.replace('TAG', tag)}\r\n`);
      },
    };
  if (scheme === 'pop3')
    return {
      greet: (s) => s.write('+OK scripted\r\n'),
      onLine: (s, l) => {
        if (/^CAPA/i.test(l)) s.write('+OK\r\nSASL XOAUTH2\r\n.\r\n');
        else if (/^AUTH XOAUTH2$/i.test(l)) s.write('+ \r\n');
        else s.write(`${reply}\r\n`);
      },
    };
  return {
    greet: (s) => s.write('220 scripted\r\n'),
    onLine: (s, l) => {
      if (/^EHLO/i.test(l)) s.write('250-scripted.test\r\n250 AUTH XOAUTH2\r\n');
      else if (/^AUTH XOAUTH2$/i.test(l)) s.write('334 \r\n');
      else s.write(`${reply}\r\n`);
    },
  };
}

async function mailTest(scheme: 'imap' | 'pop3' | 'smtp', reply: string, json = false) {
  const server = await startHostileServer(answering(scheme, reply));
  try {
    return await runCli(
      [
        'mail',
        'test',
        `${scheme}://127.0.0.1:${server.port}`,
        '--user',
        ALICE,
        '--token-stdin',
        ...(json ? ['--json'] : []),
      ],
      baseEnv(freshHome()),
      TOKEN,
    );
  } finally {
    await server.close();
  }
}

const TEMPORARY: ['imap' | 'pop3' | 'smtp', string][] = [
  ['imap', 'TAG NO [UNAVAILABLE] the mailbox server is down for maintenance'],
  ['pop3', '-ERR [SYS/TEMP] the mailbox server is down for maintenance'],
  ['pop3', '-ERR [IN-USE] the mailbox is locked by another session'],
  ['smtp', '454 4.7.0 Temporary authentication failure'],
];

describe('mail test: a temporary answer to the login is temporary, not a token problem', () => {
  for (const [scheme, reply] of TEMPORARY) {
    it(`${scheme}: "${reply.replace('TAG ', '')}" exits ${EXIT.temporary} and does not blame the token`, async () => {
      const r = await mailTest(scheme, reply);
      assert.equal(r.code, EXIT.temporary, r.stderr);
      assert.match(r.stderr, /login as alice@contoso\.onmicrosoft\.com failed/);
      assert.match(r.stderr, /likely cause: the server is temporarily unavailable/);
      assert.match(r.stderr, /fix: try again later/);
      for (const line of r.stderr.split('\n').filter((x) => /likely cause:|fix:/.test(x)))
        assert.doesNotMatch(line, /token|sign in|grant/i, line);
    });
  }

  it(`--json says so too (temporary: true, the cause) and exits ${EXIT.temporary}`, async () => {
    const r = await mailTest('imap', 'TAG NO [UNAVAILABLE] down for maintenance', true);
    assert.equal(r.code, EXIT.temporary, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(out.ok, false);
    assert.equal(out.temporary, true);
    assert.match(String(out.cause), /temporarily unavailable/);
  });

  for (const [scheme, reply] of [
    ['imap', 'TAG NO [AUTHENTICATIONFAILED] invalid credentials'],
    ['pop3', '-ERR [AUTH] invalid credentials'],
    ['smtp', '535 5.7.8 Authentication credentials invalid'],
  ] as const) {
    it(`${scheme}: a permanent refusal ("${reply.replace('TAG ', '')}") still exits ${EXIT.failure} with the token's likely cause`, async () => {
      const r = await mailTest(scheme, reply);
      assert.equal(r.code, EXIT.failure, r.stderr);
      assert.match(r.stderr, /likely cause: the server refused a current token for this user/);
    });
  }
});
