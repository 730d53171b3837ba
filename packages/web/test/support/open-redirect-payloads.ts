// Known open-redirect payloads for post-login return targets (S10): each must end the sign-in on this app's own
// origin. Grouped by the trick they use; `{app}` is replaced with the app's origin, `{host}` with its host:port.
export const OPEN_REDIRECT_PAYLOADS: readonly string[] = [
  // Protocol-relative and extra slashes.
  '//evil.example',
  '//evil.example/phish',
  '///evil.example',
  '////evil.example/phish',
  // Dot segments that normalise into "//host" (the report's payloads and relatives).
  '/.//evil.example/phish',
  '/..//evil.example/phish',
  '/%2e//evil.example/phish',
  '/%2E//evil.example',
  '/a/..//evil.example/phish',
  '/a/b/../..//evil.example',
  '/./..//evil.example',
  '/%2e%2e//evil.example',
  '/.%2e//evil.example',
  '/a/%2e%2e//evil.example',
  // Backslashes (a slash to the WHATWG parser in http(s) URLs).
  '/\\evil.example',
  '\\\\evil.example',
  '/\\/evil.example',
  '\\/evil.example',
  '/%5Cevil.example',
  '/%5C%5Cevil.example',
  '/%5c/evil.example',
  '/.\\/evil.example',
  // Tabs, newlines and other characters the parser strips or that split headers.
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r\n/evil.example',
  '\t//evil.example',
  ' //evil.example',
  '/%09/evil.example',
  '/%0a/evil.example',
  '/%0d%0a/evil.example',
  '/%0d%0aLocation:%20https://evil.example',
  '/\u0000//evil.example',
  '/%00//evil.example',
  '/\u2028/evil.example',
  // Encoded and double-encoded slashes.
  '/%2F%2Fevil.example',
  '/%2f/evil.example',
  '%2F%2Fevil.example',
  '/%252F%252Fevil.example',
  '/%25%32%66/evil.example',
  '/%252e//evil.example',
  '/%255C%255Cevil.example',
  // Schemes.
  'javascript:alert(1)',
  'JaVaScRiPt:alert(document.domain)',
  'java\tscript:alert(1)',
  '\u0001javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'vbscript:msgbox(1)',
  'https://evil.example',
  'http://evil.example/phish',
  'https:evil.example',
  'https:/evil.example',
  'https:\\\\evil.example',
  'evil.example',
  // User information and look-alikes of the app's own origin.
  '{app}@evil.example',
  '//{host}@evil.example',
  '/\\{host}@evil.example',
  '{app}.evil.example',
  'https://evil.example%2F@{host}',
  '//evil.example%23@{host}',
  '@evil.example',
  // Internationalised and full-width look-alikes of "//".
  '//evil\u3002example',
  '//\uff45\uff56\uff49\uff4c.example',
  '/\uff0f/evil.example',
  '/%EF%BC%8F/evil.example',
  '//evil%E3%80%82example',
  '//xn--80ak6aa92e.example',
];

/** Targets that are fine and must survive unchanged (or only normalised within the app). */
export const SAFE_RETURN_TARGETS: readonly (readonly [input: string, expected: string])[] = [
  ['/profile?tab=1#x', '/profile?tab=1#x'],
  ['/a/b/../c', '/a/c'],
  ['/search?q=//evil.example', '/search?q=//evil.example'],
  ['/@evil.example', '/@evil.example'],
  ['/files/%2F%2Fnot-a-host', '/files/%2F%2Fnot-a-host'],
];

export function expandPayload(payload: string, appOrigin: string): string {
  return payload.replaceAll('{app}', appOrigin).replaceAll('{host}', new URL(appOrigin).host);
}
