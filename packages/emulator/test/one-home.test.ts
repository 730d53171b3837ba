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
  [/new EntraError\(\s*65001\b/g, 'directory/consent.ts', 'consentRequired / requireConsent'],
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
  // S151: "local callers only" (the admin API, the managed identity endpoints): the caller's address and Host.
  [/isLoopbackAddress\([^)]*remoteAddress/g, 'http/local-callers.ts', 'localCallerRefusal'],
  [/headers\.host\b/g, 'http/local-callers.ts', 'localCallerRefusal'],
  // The emulator's errors live in errors/, one class a file, and become HTTP answers in one mapping.
  [/\bclass DirectoryConfigError\b/g, 'errors/directory-config-error.ts', 'DirectoryConfigError'],
  [/\bclass DirectoryFullError\b/g, 'errors/directory-full-error.ts', 'DirectoryFullError'],
  [/\bclass EmulatorOptionsError\b/g, 'errors/emulator-options-error.ts', 'EmulatorOptionsError'],
  [/\bclass BodyTooLargeError\b/g, 'errors/body-too-large-error.ts', 'BodyTooLargeError'],
  [/\bclass IssuerFetchError\b/g, 'errors/issuer-fetch-error.ts', 'IssuerFetchError'],
  [/instanceof BodyTooLargeError\b/g, 'errors/http-answer.ts', 'errorAnswer'],
  [/instanceof DirectoryFullError\b/g, 'errors/http-answer.ts', 'errorAnswer'],
  [/'directory_full'/g, 'errors/http-answer.ts', 'errorAnswer'],
  [/Request body too large\./g, 'errors/http-answer.ts', 'errorAnswer'],
  // A URL's bracketed IPv6 hostname: isLoopbackHost takes it as it is; elsewhere the brackets come off in one place.
  [/\\\[\(\.\*\)\\\]/g, 'http/loopback.ts', 'unbracketed'],
  [/\[0-9a-f\]\{8\}/g, 'directory/model.ts', 'GUID_RE / GUID_PATTERN'],
  // RFC 7636: the syntax of a PKCE code_verifier and code_challenge.
  [/\{43,128\}/g, 'grants/pkce.ts', 'isPkceValue / pkceMatches'],
];

/** S184: the scenario switches refusing a user (or the user's app) are read in one place for every flow. */
const SCENARIO_HOMES: [RegExp, string, string][] = [
  [/scenarios\.mfaRequired\b/g, 'directory/scenarios.ts', 'mfaRequired / checkMfa'],
  [/new EntraError\(\s*50076\b/g, 'directory/scenarios.ts', 'checkMfa'],
  [/scenarios\.consentRequired\b/g, 'directory/scenarios.ts', 'consentForced / checkForcedConsent'],
  [/scenarios\.grantRevoked\b/g, 'directory/scenarios.ts', 'userRefusal / checkUserSwitches'],
  [/(?<!app)\.scenarios\.disabled\b/g, 'directory/scenarios.ts', 'userRefusal / checkUserSwitches'],
];

/** Where each pattern is written, in the tree of sources under `root`: file → count. */
function placesOf(root: string, homes: [RegExp, string, string][]): Map<RegExp, Map<string, number>> {
  const files = readdirSync(root, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts'));
  const places = new Map(homes.map(([re]) => [re, new Map<string, number>()]));
  for (const f of files) {
    const text = readFileSync(join(root, f), 'utf8');
    for (const [re] of homes) {
      const n = text.match(re)?.length ?? 0;
      if (n) places.get(re)!.set(f.split('\\').join('/'), n);
    }
  }
  return places;
}

/** S185: the client app a request names is found, and refused when unknown or disabled, in one place. */
const APP_HOMES: [RegExp, string, string][] = [
  [
    /new EntraError\(\s*700016\b(?!, \{ clientId: (?:tx|app)\.clientId)/g,
    'directory/require-app.ts',
    'requireApp / findApp',
  ],
  [/new EntraError\(\s*7000112\b/g, 'directory/require-app.ts', 'requireApp / checkAppEnabled'],
  [/app\.scenarios\.disabled\b/g, 'directory/require-app.ts', 'appEnabled'],
];

/** Each pattern of `homes` is written once, in its home, and nowhere else under src. */
function assertOneHome(homes: [RegExp, string, string][]): void {
  const places = placesOf(SRC, homes);
  for (const [re, home, fn] of homes) {
    assert.deepEqual(
      Object.fromEntries(places.get(re)!),
      { [home]: 1 },
      `${re}: written only in ${home} (elsewhere, call ${fn})`,
    );
  }
}

test('S183 each rule with one home is written there once and nowhere else in the emulator sources', () => {
  assertOneHome(HOMES);
});

test('S184 the scenario switches refusing a user or the app are read in directory/scenarios.ts only', () => {
  assertOneHome(SCENARIO_HOMES);
});

test('S185 the client app is found and refused (unknown, disabled) in directory/require-app.ts only', () => {
  assertOneHome(APP_HOMES);
});
