/**
 * Redaction for anything that may reach a log or an error message. Tokens, secrets, assertions, codes and
 * Authorization headers are replaced by a short marker that keeps their length visible for debugging.
 */
const SECRET_FIELDS = new Set([
  'access_token',
  'refresh_token',
  'id_token',
  'client_secret',
  'client_assertion',
  'assertion',
  'code',
  'code_verifier',
  'device_code',
  'password',
  'authorization',
  'cookie',
  'set-cookie',
  'token',
  'subject_token',
]);

/** Replace a secret value by `[redacted N chars]`. */
export function redactValue(value: string): string {
  return `[redacted ${value.length} chars]`;
}

/** Redact secret members (at any depth) of a JSON-like value. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[…]';
  if (typeof value === 'string') return redactString(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] =
        SECRET_FIELDS.has(k.toLowerCase()) && typeof v === 'string' ? redactValue(v) : redact(v, depth + 1);
    }
    return out;
  }
  return value;
}

const JWT_LIKE = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
const FORM_SECRET =
  /\b(access_token|refresh_token|id_token|client_secret|client_assertion|assertion|code|code_verifier|device_code|password)=([^&\s]+)/gi;

/** Redact JWTs, bearer/basic credentials and secret form fields inside free text (URLs, bodies, messages). */
export function redactString(text: string): string {
  return text
    .replace(JWT_LIKE, (m) => redactValue(m))
    .replace(BEARER, (_m, scheme: string) => `${scheme} [redacted]`)
    .replace(FORM_SECRET, (_m, k: string, v: string) => `${k}=${redactValue(v)}`);
}
