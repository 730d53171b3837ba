// Issue 16: an IMAP CAPABILITY response is read by one parser (commands/mail/imap-capability.ts): `mail test`
// and the proxy's upstream login before SASL, the login's untagged CAPABILITY, and the proxy asking after the
// login. Response names and capability names are case-insensitive (RFC 9051 §2.2.1 and §7.2.2): a table of
// lines through the parser, a server that writes them in lower case end to end, and a sweep for a second parser.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import {
  hasImapCapability,
  imapCapabilityCode,
  imapCapabilityData,
  imapCapabilityList,
} from '../src/commands/mail/imap-capability.js';
import { TS_NAME, sourceFiles } from '../../tokenloop/test/support/package-sources.js';
import { baseEnv, freshHome, runCli } from './support/cli.js';
import { startHostileServer } from './support/hostile-mail-server.js';

describe('IMAP CAPABILITY: one parser, case-insensitive', () => {
  /** [line, the capability text it carries (undefined: not a CAPABILITY response)]. */
  const LINES: Array<[string, string | undefined]> = [
    ['* CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2', 'IMAP4rev1 SASL-IR AUTH=XOAUTH2'],
    ['* capability imap4rev1 sasl-ir auth=xoauth2', 'imap4rev1 sasl-ir auth=xoauth2'],
    ['* Capability IMAP4rev2', 'IMAP4rev2'],
    ['* CAPABILITY', undefined],
    ['* CAPABILITY ', undefined],
    ['* CAPABILITYX IMAP4rev1', undefined],
    ['*  CAPABILITY IMAP4rev1', undefined],
    ['* OK [CAPABILITY IMAP4rev1] ready', undefined],
    ['a1 CAPABILITY IMAP4rev1', undefined],
    ['* OK CAPABILITY completed', undefined],
  ];
  for (const [line, data] of LINES)
    it(`S212 ${JSON.stringify(line)}: ${data === undefined ? 'not a CAPABILITY response' : 'a CAPABILITY response'}`, () => {
      assert.equal(imapCapabilityData(line), data);
    });

  it('S212 the list: atoms between spaces; a name is found whatever its case', () => {
    assert.deepEqual(imapCapabilityList('IMAP4rev1  SASL-IR auth=xoauth2'), [
      'IMAP4rev1',
      'SASL-IR',
      'auth=xoauth2',
    ]);
    const caps = imapCapabilityList('imap4rev1 sasl-ir Auth=XOAuth2 starttls');
    for (const name of ['SASL-IR', 'sasl-ir', 'STARTTLS', 'AUTH=XOAUTH2', 'IMAP4REV1'])
      assert.equal(hasImapCapability(caps, name), true, name);
    for (const name of ['SASL', 'AUTH=PLAIN', 'IMAP4rev2'])
      assert.equal(hasImapCapability(caps, name), false, name);
  });

  it('S212 the response code: [CAPABILITY …] at the start of an OK text, in any case', () => {
    assert.equal(imapCapabilityCode('[CAPABILITY IMAP4rev1 IDLE] Logged in'), 'IMAP4rev1 IDLE');
    assert.equal(imapCapabilityCode('[capability imap4rev1] Logged in'), 'imap4rev1');
    assert.equal(imapCapabilityCode('[CAPABILITY] Logged in'), undefined);
    assert.equal(imapCapabilityCode('Logged in [CAPABILITY IMAP4rev1]'), undefined);
    assert.equal(imapCapabilityCode('[ALERT] Logged in'), undefined);
  });

  it('S212 mail test reads a server that writes its CAPABILITY response in lower case', async () => {
    let initialResponseSent = false;
    const server = await startHostileServer({
      greet: (s) => s.write('* OK ready\r\n'),
      onLine: (s, l) => {
        const tag = l.split(' ')[0];
        if (/ CAPABILITY$/i.test(l))
          s.write(`* capability imap4rev1 auth=xoauth2 sasl-ir\r\n${tag} OK done\r\n`);
        else if (/ AUTHENTICATE XOAUTH2 \S+$/i.test(l)) {
          initialResponseSent = true;
          s.write(`${tag} OK logged in\r\n`);
        } else s.write(`${tag} BAD no initial response\r\n`);
      },
    });
    try {
      const r = await runCli(
        ['mail', 'test', `imap://127.0.0.1:${server.port}`, '--user', 'alice@example.test', '--token-stdin'],
        baseEnv(freshHome()),
        'eyJhbGciOiJub25lIn0.e30.c2ln',
      );
      assert.match(r.stdout + r.stderr, /mechanisms: XOAUTH2/);
      assert.doesNotMatch(r.stdout + r.stderr, /does not advertise/);
      assert.equal(r.code, 0, r.stderr);
      // SASL-IR, offered in lower case, was seen: the initial response went with the command.
      assert.equal(initialResponseSent, true);
    } finally {
      await server.close();
    }
  });

  it('S212 sweep: no other place of the CLI or the library parses a CAPABILITY response', () => {
    const PACKAGES = join(import.meta.dirname, '..', '..');
    const PARSES = /\/\^?\\\*\s*\[?\s*CAPABILITY|startsWith\(\s*['"`]\*\s*CAPABILITY|\/\^?\\\[CAPABILITY/i;
    const found: string[] = [];
    for (const path of ['cli', 'tokenloop'].flatMap((p) =>
      sourceFiles(join(PACKAGES, p, 'src'), { names: TS_NAME }),
    )) {
      const text = readFileSync(path, 'utf8').replace(/\/\/.*|\/\*[\s\S]*?\*\//g, '');
      if (PARSES.test(text)) found.push(relative(PACKAGES, path).split('\\').join('/'));
    }
    assert.deepEqual(found, ['cli/src/commands/mail/imap-capability.ts']);
  });
});
