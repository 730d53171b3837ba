// S144: client capabilities (MSAL's `clientCapabilities`, e.g. cp1 for continuous access evaluation) — how they
// merge into a request's claims, how a bad option is refused, and a sweep of the sources: every request the flows
// send to the token or device authorization endpoint takes its options from requestOptions (which declares the
// capabilities), and the authorize URL's claims come from requestClaims. The end-to-end loop against the
// emulator's Graph: test/azure/pipeline.test.ts.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createTokenClient, TokenloopError } from 'tokenloop';
import { requestClaims } from '../../src/client/claims-request.js';

const FLOWS = join(import.meta.dirname, '../../src/flows');
const CP1 = { clientCapabilities: ['cp1'] };

describe('S144 client capabilities', () => {
  it('S144 requestClaims: a challenge as given without capabilities; with them, xms_cc merged in', () => {
    const challenge = '{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}';
    const cases: [Parameters<typeof requestClaims>[0], string | undefined, unknown][] = [
      [{}, undefined, undefined],
      [{}, challenge, challenge],
      [{ clientCapabilities: [] }, challenge, challenge],
      [CP1, undefined, { access_token: { xms_cc: { values: ['cp1'] } } }],
      [
        CP1,
        challenge,
        { access_token: { nbf: { essential: true, value: '1700000000' }, xms_cc: { values: ['cp1'] } } },
      ],
      [
        CP1,
        '{"id_token":{"acrs":{"essential":true,"value":"c1"}}}',
        {
          id_token: { acrs: { essential: true, value: 'c1' } },
          access_token: { xms_cc: { values: ['cp1'] } },
        },
      ],
    ];
    for (const [options, claims, expected] of cases) {
      const out = requestClaims(options, claims);
      if (typeof expected === 'object' && expected !== null) assert.deepEqual(JSON.parse(out!), expected);
      else assert.equal(out, expected, `${JSON.stringify(options)} ${claims ?? ''}`);
    }
  });

  it('S144 a bad clientCapabilities option is refused when the client is created', () => {
    const bad: unknown[] = ['cp1', [''], [42], ['cp 1'], Array.from({ length: 11 }, () => 'cp1')];
    for (const clientCapabilities of bad) {
      assert.throws(
        () =>
          createTokenClient({
            authority: 'https://login.microsoftonline.com/organizations',
            clientId: '00000000-0000-0000-0000-000000000001',
            clientCapabilities: clientCapabilities as string[],
          }),
        (err: unknown) => err instanceof TokenloopError && err.code === 'CONFIGURATION',
        JSON.stringify(clientCapabilities),
      );
    }
  });

  it('S144 sweep: every token and device authorization request in the flows takes requestOptions; the authorize URL requestClaims', () => {
    let requests = 0;
    for (const file of readdirSync(FLOWS).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(join(FLOWS, file), 'utf8');
      for (const m of source.matchAll(/oauth\.(\w+Request)\(/g)) {
        if (m[1] === 'userInfoRequest') continue; // not a token request: no claims
        // The call's arguments: up to the parenthesis that closes it.
        let depth = 0;
        let end = m.index + m[0].length - 1;
        for (; end < source.length; end++) {
          if (source[end] === '(') depth++;
          else if (source[end] === ')' && --depth === 0) break;
        }
        const call = source.slice(m.index, end + 1);
        assert.match(call, /requestOptions\(/, `${file}: oauth.${m[1]} without requestOptions`);
        requests++;
      }
      if (/set\('claims'/.test(source))
        assert.match(source, /requestClaims\(/, `${file} sets claims without requestClaims`);
    }
    assert.ok(requests >= 6, `found the flows' token requests (${requests})`);
  });
});
