/**
 * A `WWW-Authenticate: Bearer` challenge (RFC 6750 §3) with every parameter a quoted string, as Entra-protected
 * APIs write it. One place for the format: values may not hold a quote, a backslash or a control character
 * (RFC 9110 §5.6.4 would need escapes no client of Entra's challenges reads), so they are refused here.
 */
export function bearerChallenge(params: Record<string, string>): string {
  const parts = Object.entries(params).map(([name, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new TypeError(`not a challenge parameter name: ${name}`);
    if (/["\\\x00-\x1f\x7f]/.test(value))
      throw new TypeError(`challenge parameter ${name} holds a quote or control`);
    return `${name}="${value}"`;
  });
  return parts.length ? `Bearer ${parts.join(', ')}` : 'Bearer';
}

/**
 * The parameters of a claims challenge (S143): `error="insufficient_claims"` and the claims request the client
 * must ask for, base64 (standard alphabet, padded: what Graph sends and @azure/core-rest-pipeline decodes).
 */
export function claimsChallenge(claims: Record<string, unknown>): Record<string, string> {
  return {
    error: 'insufficient_claims',
    claims: Buffer.from(JSON.stringify(claims), 'utf8').toString('base64'),
  };
}
