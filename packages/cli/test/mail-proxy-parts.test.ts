// The mail proxy's protocol pieces on their own: IMAP stream segmentation (literals are never read as
// protocol), SASL PLAIN / LOGIN decoding, listener specs, local password storage.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';
import { type Segment, imapSegmenter } from '../src/commands/mail/proxy/imap-segments.js';
import { parseMailEndpoint } from '../src/commands/mail/mail-endpoint.js';
import { parseListener } from '../src/commands/mail/proxy/listeners.js';
import {
  localPasswordChecker,
  passwordFilePath,
  setLocalPassword,
} from '../src/commands/mail/proxy/local-passwords.js';
import { decodeLoginField, decodePlain } from '../src/commands/mail/proxy/sasl-credentials.js';
import { freshHome } from './support/cli.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe('IMAP segmentation', () => {
  it('passes a literal through as data, even when it looks like a response, however the stream is split', () => {
    const body = 'Subject: x\r\n\r\n* BYE this is message text\r\nA1 OK also text\r\n';
    const stream = Buffer.from(
      `* 1 FETCH (BODY[] {${Buffer.byteLength(body)}}\r\n${body})\r\nA1 OK FETCH completed\r\n`,
    );
    for (const size of [1, 3, 7, 64, stream.length]) {
      const segments: Segment[] = [];
      const feed = imapSegmenter((s) => segments.push({ ...s, bytes: Buffer.from(s.bytes) }));
      for (let i = 0; i < stream.length; i += size) feed(stream.subarray(i, i + size));
      const protocolLines = segments.filter((s) => s.line !== undefined && !s.continued).map((s) => s.line);
      assert.deepEqual(
        protocolLines,
        [`* 1 FETCH (BODY[] {${Buffer.byteLength(body)}}`, 'A1 OK FETCH completed'],
        `chunks of ${size}`,
      );
      assert.equal(
        Buffer.concat(segments.map((s) => s.bytes)).toString(),
        stream.toString(),
        'bytes unchanged',
      );
    }
  });

  it('treats the line after a zero-length literal as a continuation', () => {
    const lines: [string | undefined, boolean][] = [];
    imapSegmenter((s) => lines.push([s.line, s.continued]))(Buffer.from('a1 LOGIN {0}\r\n x\r\na2 NOOP\r\n'));
    assert.deepEqual(lines, [
      ['a1 LOGIN {0}', false],
      [' x', true],
      ['a2 NOOP', false],
    ]);
  });
});

describe('IMAP segmentation of client commands (synchronizing literals)', () => {
  const commands = (feedAll: (f: ReturnType<typeof imapSegmenter>) => void) => {
    const seen: string[] = [];
    const f = imapSegmenter(({ line, continued }) => {
      if (line !== undefined && !continued) seen.push(line);
    }, true);
    feedAll(f);
    return seen;
  };

  it('a {n} literal the server refused (tagged NO instead of +) does not swallow the next command', () => {
    const seen = commands((f) => {
      f(Buffer.from('a1 APPEND Sent {19}\r\n'));
      f.cancelLiteral(); // the server answered `a1 NO [TRYCREATE]`
      f(Buffer.from('a2 SELECT Archive\r\n'));
    });
    assert.deepEqual(seen, ['a1 APPEND Sent {19}', 'a2 SELECT Archive']);
  });

  it('after the server sends +, the literal is data, however it looks', () => {
    const seen = commands((f) => {
      f(Buffer.from('a1 APPEND Sent {19}\r\n'));
      assert.equal(f.midCommand(), true, 'waiting for the continuation');
      f.continueLiteral();
      f(Buffer.from('x LOGOUT\r\ny IDLE\r\n\r\na2 NOOP\r\n'));
    });
    assert.deepEqual(seen, ['a1 APPEND Sent {19}', 'a2 NOOP']);
  });

  it('a literal+ ({n+}) is data at once; an unfinished line counts as mid-command', () => {
    const f = imapSegmenter(() => {}, true);
    f(Buffer.from('a1 LOGIN {3+}\r\nabc'));
    assert.equal(f.midCommand(), false);
    f(Buffer.from(' pw\r\na2 SEL'));
    assert.equal(f.midCommand(), true);
    assert.equal(f.flush().toString(), 'a2 SEL');
  });
});

describe('SASL credentials', () => {
  it('PLAIN: user and password; an authzid naming someone else is refused', () => {
    assert.deepEqual(decodePlain(b64('\0alice@x.test\0pw with spaces')), {
      user: 'alice@x.test',
      password: 'pw with spaces',
    });
    assert.deepEqual(decodePlain(b64('alice@x.test\0alice@x.test\0pw')), {
      user: 'alice@x.test',
      password: 'pw',
    });
    assert.equal(decodePlain(b64('bob@x.test\0alice@x.test\0pw')), undefined);
    assert.equal(decodePlain(b64('\0alice@x.test\0')), undefined);
    assert.equal(decodePlain('not base64!'), undefined);
    assert.equal(decodePlain(b64('only\0two')), undefined);
  });
  it('LOGIN fields decode; garbage does not', () => {
    assert.equal(decodeLoginField(b64('alice@x.test')), 'alice@x.test');
    assert.equal(decodeLoginField('%%%'), undefined);
  });
});

describe('listener specs', () => {
  it('PORT=URL on 127.0.0.1 by default; the address must be loopback; the protocol must match', () => {
    assert.deepEqual(parseListener('imap', '1143=imaps://outlook.office365.com'), {
      protocol: 'imap',
      host: '127.0.0.1',
      port: 1143,
      upstream: {
        protocol: 'imap',
        host: 'outlook.office365.com',
        port: 993,
        tls: 'implicit',
        scheme: 'imaps',
      },
    });
    assert.equal(parseListener('smtp', '[::1]:1587=submission://smtp.office365.com').host, '::1');
    assert.throws(() => parseListener('imap', '0.0.0.0:1143=imaps://h'), /loopback addresses only/);
    assert.throws(() => parseListener('pop3', '1110=imaps://h'), /is a imap server/);
    assert.throws(() => parseListener('imap', 'imaps://h'), /expected \[ADDRESS:\]PORT=URL/);
  });
  it('one HOST:PORT rule for listeners and servers: port 0 listens on any free port but is no server', () => {
    const listener = parseListener('imap', '0=imaps://outlook.office365.com');
    assert.equal(listener.port, 0);
    assert.throws(() => parseListener('imap', '1143=imaps://outlook.office365.com:0'), /invalid port 0/);
    assert.throws(() => parseListener('imap', '65536=imaps://h'), /--imap: invalid port 65536/);
    assert.throws(() => parseMailEndpoint('imaps://h:65536'), /invalid port 65536/);
  });
  it('an IPv6 address is in brackets, as in a URL: a bare one is not an address', () => {
    assert.throws(() => parseListener('imap', '::1:1143=imaps://h'), /expected \[ADDRESS:\]PORT=URL/);
    assert.throws(() => parseMailEndpoint('imaps://::1'), /not a mail server URL/);
    assert.equal(parseMailEndpoint('imaps://[::1]:993').host, '::1');
  });
});

describe('local passwords', () => {
  it('stores only a scrypt hash, 0600, and checks case-insensitively by user', async () => {
    const dir = freshHome();
    await setLocalPassword(dir, 'Alice@X.test', 'a long local password');
    const text = readFileSync(passwordFilePath(dir), 'utf8');
    assert.ok(!text.includes('a long local password'));
    assert.match(text, /"alice@x\.test": "scrypt\$/);
    assert.equal(statSync(passwordFilePath(dir)).mode & 0o777, 0o600);
    const check = localPasswordChecker(dir);
    assert.equal(await check('alice@x.test', 'a long local password'), true);
    assert.equal(await check('ALICE@X.TEST', 'a long local password'), true);
    assert.equal(await check('alice@x.test', 'a long local passwore'), false);
    assert.equal(await check('bob@x.test', 'a long local password'), false);
  });
});
