// "An HTTP status of 429 or 5xx means the provider is unavailable (temporary)" has one home, the library's
// `isUnavailableStatus` (errors/unavailable-status.ts, exported from `tokenloop`): the token endpoint's error
// mapping, discovery, the JWKS, OAuth error classification, the retry policy (a subset: the statuses a later try
// can cure) and the CLI's Graph call (whoami) ask it. A sweep finds the rule written again anywhere in the client
// packages (library, web, CLI). The emulator answers with statuses rather than reading them: it is not swept.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { isUnavailableStatus } from 'tokenloop';
import { toOAuthError } from '../../src/errors/classify.js';
import { TokenloopError } from '../../src/errors/errors.js';
import { assertNotUnavailable } from '../../src/flows/map-errors.js';
import { withRetry } from '../../src/http/retry.js';
import { fetchJwks } from '../../src/validation/jwks-fetch.js';
import { TS_NAME, sourceFiles } from '../support/package-sources.js';

const STATUSES = [
  200, 204, 301, 400, 401, 403, 404, 408, 428, 429, 430, 499, 500, 501, 502, 503, 504, 505, 599,
];

test('the unavailable statuses, as a table: 429 and every 5xx, nothing else', () => {
  for (const status of STATUSES)
    assert.equal(isUnavailableStatus(status), status === 429 || status >= 500, String(status));
});

/** The error code a promise fails with, or 'ok'. */
async function codeOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'ok';
  } catch (err) {
    assert.ok(err instanceof TokenloopError, String(err));
    return err.code;
  }
}

test('the token endpoint, the JWKS and OAuth error classification call a status unavailable exactly by the rule', async () => {
  for (const status of STATUSES.filter((s) => s >= 400)) {
    const unavailable = isUnavailableStatus(status);
    const answer = () => new Response('{}', { status, headers: { 'retry-after': '0' } });
    assert.equal(
      await codeOf(() => assertNotUnavailable(answer())),
      unavailable ? 'PROVIDER_UNAVAILABLE' : 'ok',
      `token endpoint ${status}`,
    );
    assert.equal(
      await codeOf(() => fetchJwks('https://login.example/keys', { fetch: async () => answer() })),
      unavailable ? 'PROVIDER_UNAVAILABLE' : 'INVALID_RESPONSE',
      `JWKS ${status}`,
    );
    const classified = toOAuthError({ error: 'server_error_of_its_own', status }).errorClass;
    assert.equal(classified === 'transient', unavailable, `OAuth error class at ${status}: ${classified}`);
  }
});

test('a retry follows the unavailable statuses a later try can cure (429, 500, 502, 503, 504), not 501 or 505', async () => {
  for (const status of STATUSES) {
    let tries = 0;
    const last = await withRetry(
      async () => {
        tries++;
        return new Response(null, { status });
      },
      { attempts: 2, baseDelayMs: 0 },
    );
    assert.equal(last.status, status);
    const retried = [429, 500, 502, 503, 504].includes(status);
    assert.equal(tries, retried ? 2 : 1, String(status));
    if (retried) assert.ok(isUnavailableStatus(status), `${status} is retried, so it is unavailable`);
  }
});

const PACKAGES = join(import.meta.dirname, '..', '..', '..');
const HOME = 'tokenloop/src/errors/unavailable-status.ts';
/** Files that name such statuses for another purpose, and why. */
const ALLOWED: Record<string, string> = {
  'tokenloop/src/http/retry.ts': 'the retry subset, defined through isUnavailableStatus',
};

/** The rule written out: a comparison with 429 or a 5xx bound (not a length's), a status's hundreds, a list holding 429. */
const RULE_WRITTEN = [
  /[=!]==?\s*429\b/,
  /\b429\s*[=!]==?/,
  /(?<!\.length\s*)[<>]=?\s*(?:499|500|599|600)\b/,
  /\b(?:499|500|599|600)\s*[<>]=?/,
  /\/\s*100\s*\)?\s*[=!]==?\s*[45]\b/,
  /startsWith\(\s*'5'\s*\)/,
  /case\s+429\s*:/,
  /\[[^\]]*\b429\b[^\]]*\]/,
];

function filesWithRule(pkg: string): string[] {
  return sourceFiles(join(PACKAGES, pkg, 'src'), { names: TS_NAME })
    .filter((path) => {
      const text = readFileSync(path, 'utf8').replace(/\/\/.*|\/\*[\s\S]*?\*\//g, '');
      return RULE_WRITTEN.some((r) => r.test(text));
    })
    .map((path) => relative(PACKAGES, path).split('\\').join('/'))
    .filter((path) => !(path in ALLOWED));
}

test('sweep: the client packages write the unavailable-status rule in one module only', () => {
  const found = ['tokenloop', 'web', 'cli'].flatMap(filesWithRule);
  assert.deepEqual(found, [HOME]);
});

test('the sweep sees the ways the rule is written', () => {
  for (const line of [
    'if (response.status === 429 || response.status >= 500) x();',
    'return status !== 429 && status < 500;',
    'res.status > 499',
    'Math.floor(status / 100) === 5',
    'new Set([429, 503]).has(status)',
    'switch (s) { case 429: }',
  ])
    assert.ok(
      RULE_WRITTEN.some((r) => r.test(line)),
      line,
    );
  for (const line of ['const REQUEST_TIMEOUT_MS = 5000; const n = 4290;', 'line.length <= 500'])
    assert.ok(!RULE_WRITTEN.some((r) => r.test(line)), line);
});
