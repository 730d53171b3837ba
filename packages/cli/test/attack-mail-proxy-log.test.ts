// S74: the mail proxy's log is terminal output: what a local client types (its user name) reaches it through
// the same rule as every other terminal string (quote.ts's terminalText), so that C0 and C1 controls (CSI,
// OSC), CR / LF, bidirectional overrides and Unicode line separators cannot move the cursor, set the window
// title, reorder or forge log lines — through each front's way of giving a user name.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { terminalText } from '../src/output/quote.js';
import { baseEnv, freshHome } from './support/cli.js';
import { type RunningProxy, startProxy } from './support/mail-proxy.js';
import { textClient } from './support/text-client.js';

/** A terminal acts on these (besides the line feed that ends each log line). */
const CONTROLS = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
const HOSTILE_USER =
  'bob\u009b2J\u009d0;PWNED\u009c\u202eexample.com\u001b]0;title\u0007\u001b[2K\r2026-01-01 forged\u2028x\u2066';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const utf8AsLatin1 = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

describe('S74 mail proxy log: user names a client typed are terminal text', () => {
  let proxy: RunningProxy;
  before(async () => {
    proxy = await startProxy(
      [
        ...['--issuer', 'http://127.0.0.1:9/', '--client-id', 'x'],
        ...['--imap', '0=imaps://127.0.0.1:9', '--pop3', '0=pop3s://127.0.0.1:9'],
        ...['--smtp', '0=submissions://127.0.0.1:9'],
      ],
      baseEnv(freshHome()),
    );
  });
  after(async () => {
    assert.equal(await proxy?.stop(), 0);
  });

  /** Each front's way to send the hostile user name with a wrong password (bytes as the client sends them). */
  const FRONTS: { front: 'imap' | 'pop3' | 'smtp'; ready: RegExp; lines: string[]; until: RegExp }[] = [
    {
      front: 'imap',
      ready: /^\* OK/,
      lines: [
        `a1 LOGIN {${Buffer.byteLength(HOSTILE_USER)}+}`,
        `${utf8AsLatin1(HOSTILE_USER)} wrongpassword`,
      ],
      until: /^a1 /,
    },
    {
      front: 'pop3',
      ready: /^\+OK/,
      // POP3 lines cannot hold CR / LF: the rest of the name goes as it is.
      lines: [`USER ${utf8AsLatin1(HOSTILE_USER.replace(/[\r\n]/g, ''))}`, 'PASS wrongpassword'],
      until: /^-ERR/,
    },
    {
      front: 'smtp',
      ready: /^220 /,
      lines: ['EHLO x', `AUTH PLAIN ${b64(`\0${HOSTILE_USER}\0wrongpassword`)}`],
      until: /^535 /,
    },
  ];

  for (const { front, ready, lines, until } of FRONTS) {
    it(`S74 ${front}: a hostile user name is logged escaped, on one line`, async () => {
      const before = proxy.log().length;
      const c = await textClient(proxy.ports[front]!);
      await c.waitFor(ready);
      for (const line of lines) c.socket.write(`${line}\r\n`, 'latin1');
      await c.waitFor(until, 20_000);
      c.close();
      const log = proxy.log().slice(before);
      const line = log.split('\n').find((l) => l.includes('wrong local password for'));
      assert.ok(line, 'the wrong password was logged');
      const sent = front === 'pop3' ? HOSTILE_USER.replace(/[\r\n]/g, '') : HOSTILE_USER;
      assert.ok(line.endsWith(`wrong local password for ${terminalText(sent)}`), JSON.stringify(line));
      for (const l of log.split('\n')) assert.doesNotMatch(l, CONTROLS, JSON.stringify(l));
      assert.doesNotMatch(log, /^2026-01-01 forged/m, 'no forged log line');
    });
  }
});
