// S144: client capabilities (MSAL's `clientCapabilities`, e.g. cp1 for continuous access evaluation) — how a bad
// option is refused, and a sweep of the sources: every request the flows send to the token or device
// authorization endpoint takes its options from requestOptions (which declares the capabilities), those whose
// parameters are an argument build them with tokenParameters, and the authorize URL's claims come from
// requestClaims. How they merge into a challenge's claims, against the emulator's Graph:
// test/azure/pipeline.test.ts.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createTokenClient, TokenloopError } from 'tokenloop';
import { requestClaims } from '../../src/model/claims-request.ts';

const FLOWS = join(import.meta.dirname, '../../src/flows');
/** oauth4webapi's token requests whose parameters are an argument, not `additionalParameters`. */
const TAKE_PARAMETERS = new Set(['clientCredentialsGrantRequest', 'genericTokenEndpointRequest']);

describe('S144 client capabilities', () => {
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

  it('S144 sweep: every token and device authorization request in the flows takes requestOptions (and tokenParameters where oauth4webapi takes the parameters); the authorize URL requestClaims', () => {
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
        // These two take their parameters themselves (oauth4webapi ignores additionalParameters there).
        if (TAKE_PARAMETERS.has(m[1]!))
          assert.match(
            call,
            /tokenParameters\(/,
            `${file}: oauth.${m[1]}'s parameters without tokenParameters`,
          );
        requests++;
      }
      if (/set\('claims'/.test(source))
        assert.match(source, /requestClaims\(/, `${file} sets claims without requestClaims`);
    }
    assert.ok(requests >= 6, `found the flows' token requests (${requests})`);
  });
});

describe("S144 requestClaims merges the capabilities into a request's claims", () => {
  it("S144 keeps every other claim of a challenge (id_token, the access token's nbf) and adds xms_cc", () => {
    const challenge = JSON.stringify({
      id_token: { auth_time: { essential: true } },
      access_token: { nbf: { essential: true, value: '1700000000' } },
    });
    assert.deepEqual(JSON.parse(requestClaims({ clientCapabilities: ['cp1'] }, challenge)!), {
      id_token: { auth_time: { essential: true } },
      access_token: { nbf: { essential: true, value: '1700000000' }, xms_cc: { values: ['cp1'] } },
    });
    assert.deepEqual(JSON.parse(requestClaims({ clientCapabilities: ['cp1'] }, undefined)!), {
      access_token: { xms_cc: { values: ['cp1'] } },
    });
  });

  it('S144 without capabilities the claims go as given, byte for byte', () => {
    const challenge = '{"access_token":{"nbf":{"essential":true,"value":"1"}}}';
    assert.equal(requestClaims({}, challenge), challenge);
    assert.equal(requestClaims({ clientCapabilities: [] }, undefined), undefined);
  });
});
