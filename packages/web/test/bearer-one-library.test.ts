// S168: the bearer verifier leaves to the libraries what they are made for: jose's jwtVerify checks the issuer,
// audience, expiry and not-before (with the API's leeway), the library's own discovery finds the issuer's
// metadata (no token client is built for it), its one list of asymmetric algorithms and its Entra cloud table
// (v1 issuers) are used, never copies. The behaviour is the bearer tests'; this sweep finds a hand-made copy.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';

const BEARER = join(import.meta.dirname, '..', 'src', 'bearer');
const sources = readdirSync(BEARER)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => ({ file: f, text: readFileSync(join(BEARER, f), 'utf8') }));

it('S168 the bearer sources check no registered time, issuer or audience claim by hand and build no token client', () => {
  const copies = [
    /claims\.(exp|nbf|aud)\b|claims\.iss !==/, // registered claims: jwtVerify's options
    /createTokenClient/, // discovery: the library's discover()
    /\bsts\.(windows\.net|chinacloudapi\.cn)/, // Entra v1 issuers: entra-clouds.ts
    /'(RS|PS|ES)(256|384|512)',\s*'(RS|PS|ES)/, // the asymmetric algorithms: key-set.ts
  ];
  const found = sources.flatMap(({ file, text }) =>
    copies.filter((c) => c.test(text)).map((c) => `${file}: ${String(c)}`),
  );
  assert.deepEqual(found, []);
  assert.ok(
    sources.some(({ text }) => /\bjwtVerify\(/.test(text)),
    'the verifier uses jose jwtVerify',
  );
});
