/**
 * The one rule for an HTTP status that means the provider is unavailable — temporary, it says nothing about the
 * request or the grant (C5: tokens are kept): 429 Too Many Requests, or any 5xx. The token endpoint's error
 * mapping, discovery, the JWKS, OAuth error classification, the retry policy (a subset of these statuses) and the
 * CLI's Graph call ask it; a sweep (test/errors/unavailable-status.test.ts) finds the rule written anywhere else.
 * It lives with the errors (the lowest layer, S160) as classify.ts asks it too.
 */
export function isUnavailableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}
