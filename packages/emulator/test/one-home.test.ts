// S183: rules of the emulator that have one home (issue 16) stay there: each pattern below is written in the one
// source file named, once, and in no other. A copy of the rule written again elsewhere fails here: call the
// function named instead.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const SRC = join(import.meta.dirname, '..', 'src');

/** pattern → [its home (relative to src), the function there that the rest of the emulator calls] */
const HOMES: [RegExp, string, string][] = [
  [/new EntraError\(\s*65001\b/g, 'flow/consent.ts', 'consentRequired / requireConsent'],
  [/The assertion is not a JWT/g, 'grants/federated-assertion.ts', 'readAssertion'],
  [/\.accessTokens\.set\(/g, 'tokens/issue.ts', 'signAccessToken'],
  [/Publisher not provided/g, 'pages/layout.ts', 'appWithPublisher'],
  [/name="decision" value="cancel"/g, 'pages/layout.ts', 'decisionForm'],
  [/hiddenInput\('tx'/g, 'pages/layout.ts', 'formFor'],
  [/max-age=86400, private/g, 'endpoints/discovery.ts', 'sendDiscovery'],
  [/'microsoftonline\.com'/g, 'endpoints/discovery.ts', 'CLOUD_INSTANCE_NAME'],
  [/client_info'\) === '1'/g, 'tokens/claims.ts', 'asksClientInfo'],
  [/saveTransaction\(ctx, x, tx\)/g, 'flow/proceed.ts', 'showStep'],
  [/new EntraError\(\s*700016, \{ clientId: tx\.clientId/g, 'flow/proceed.ts', 'transactionApp'],
];

/** Where each pattern is written, in the tree of sources under `root`: file → count. */
function placesOf(root: string): Map<RegExp, Map<string, number>> {
  const files = readdirSync(root, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts'));
  const places = new Map(HOMES.map(([re]) => [re, new Map<string, number>()]));
  for (const f of files) {
    const text = readFileSync(join(root, f), 'utf8');
    for (const [re] of HOMES) {
      const n = text.match(re)?.length ?? 0;
      if (n) places.get(re)!.set(f.split('\\').join('/'), n);
    }
  }
  return places;
}

test('S183 each rule with one home is written there once and nowhere else in the emulator sources', () => {
  const places = placesOf(SRC);
  for (const [re, home, fn] of HOMES) {
    assert.deepEqual(
      Object.fromEntries(places.get(re)!),
      { [home]: 1 },
      `${re}: written only in ${home} (elsewhere, call ${fn})`,
    );
  }
});
