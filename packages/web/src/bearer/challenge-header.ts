/**
 * The one writer of `WWW-Authenticate: Bearer` challenges (RFC 6750 §3): every parameter a quoted string. A value
 * loses any `"`, `\` and control character (RFC 9110's quoted-pair escapes are read by few clients, and a value
 * from an error message must not end the string or the header early); names are fixed by the callers.
 */
export function bearerChallenge(params: [name: string, value: string | undefined][]): string {
  const parts = params
    .filter((p): p is [string, string] => p[1] !== undefined && p[1] !== '')
    .map(([name, value]) => `${name}="${value.replace(/["\\\u0000-\u001f\u007f]/g, '')}"`);
  return `Bearer ${parts.join(', ')}`;
}
