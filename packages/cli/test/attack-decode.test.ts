// `tokenloop decode` shows whatever a token says without being steered by it. S74: a hostile header (`alg`
// with escape sequences, CR, C1 and bidirectional controls) reaches the terminal only escaped, in the warnings
// too. S92: claim values a date cannot hold (`{"exp":1e300}`) are shown as the raw number with a note, in text
// and JSON, never as an "unexpected error".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { baseEnv, freshHome, runCli } from './support/cli.js';

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');
const jwt = (header: unknown, claims: unknown) => `${b64url(header)}.${b64url(claims)}.c2ln`;
/** What a terminal acts on (besides the line feeds that end lines). */
const CONTROLS = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
const HOSTILE_ALG =
  'HS256\u001b]0;PWNED\u0007\u001b[1A\r\u001b[2Kwarning: none\u009b2J\u202eevil\nforged line';

describe('S74 decode: a hostile header is shown escaped, warnings too', () => {
  it('S74 decode: an alg with escape sequences, CR, LF, C1 and bidi controls never reaches the terminal raw', async () => {
    const env = baseEnv(freshHome());
    const r = await runCli(
      ['decode', jwt({ alg: HOSTILE_ALG, typ: 'JWT' }, { sub: 'x', exp: 9999999999 })],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    for (const line of r.stdout.split('\n')) assert.doesNotMatch(line, CONTROLS);
    const warning = r.stdout.split('\n').find((l) => l.startsWith('warning: symmetric signature'));
    assert.ok(warning, 'the symmetric-signature warning is shown');
    assert.ok(
      warning.includes(
        'HS256\\x1b]0;PWNED\\x07\\x1b[1A\\r\\x1b[2Kwarning: none\\x9b2J\\u202eevil\\nforged line',
      ),
      warning,
    );
    assert.equal(r.stdout.match(/^warning: /gm)?.length, 1, 'no forged warning line');
    const json = await runCli(['decode', '--json', jwt({ alg: HOSTILE_ALG }, { exp: 9999999999 })], env);
    assert.equal(json.code, 0, json.stderr);
    assert.doesNotMatch(json.stdout.trimEnd(), CONTROLS);
    assert.equal((JSON.parse(json.stdout) as { header: { alg: string } }).header.alg, HOSTILE_ALG);
  });
});

describe('S92 decode: times a date cannot hold are shown as numbers with a note', () => {
  const EXTREMES = [1e300, -1e300, Number.MAX_VALUE, 8.64e12 + 1, -8.64e12 - 1, 1e20];
  for (const claim of ['exp', 'iat', 'nbf', 'auth_time', 'xms_tcdt']) {
    it(`S92 decode: ${claim} beyond the range of dates (${EXTREMES.join(', ')}) is shown, no crash`, async () => {
      const env = baseEnv(freshHome());
      for (const value of EXTREMES) {
        const token = jwt({ alg: 'RS256' }, { [claim]: value });
        const text = await runCli(['decode', token], env);
        assert.equal(text.code, 0, `${value}: ${text.stderr}`);
        assert.doesNotMatch(text.stderr, /unexpected error/);
        const line = text.stdout.split('\n').find((l) => l.startsWith(`  ${claim}: `));
        assert.equal(line, `  ${claim}: ${JSON.stringify(value)}  (outside the range of dates)`);
        const json = await runCli(['decode', '--json', token], env);
        assert.equal(json.code, 0, json.stderr);
        const parsed = JSON.parse(json.stdout) as {
          claims: Record<string, number>;
          times: Record<string, string>;
        };
        assert.equal(parsed.claims[claim], value);
        assert.equal(parsed.times[claim], 'outside the range of dates');
      }
    });
  }

  it('S92 decode: the edges of the range are still dates', async () => {
    const env = baseEnv(freshHome());
    for (const [value, year] of [
      [8.64e12, '+275760'],
      [-8.64e12, '-271821'],
      [0, '1970'],
    ] as const) {
      const r = await runCli(['decode', jwt({ alg: 'RS256' }, { exp: value })], env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`  exp: ${value}  \\(${year.replace('+', '\\+')}-`));
    }
  });
});
