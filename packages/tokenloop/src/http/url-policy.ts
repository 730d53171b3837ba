import { TokenloopError } from '../errors/errors.js';

/** True for 127.0.0.0/8, ::1 and `localhost` — the only places plain http is acceptable (RFC 8252 §8.3). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Refuse anything but https, except http on loopback (S16). `allowInsecureHttp` is the loudly named
 * development switch for other plain-http hosts.
 */
export function assertUrlAllowed(url: URL, what: string, allowInsecureHttp = false): void {
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && (isLoopbackHost(url.hostname) || allowInsecureHttp)) return;
  throw new TokenloopError(
    'CONFIGURATION',
    `${what} must use https (plain http is only allowed on loopback): ${url.origin}`,
    { remediation: 'Use an https URL, or set dangerouslyAllowInsecureHttp for a development server.' },
  );
}

/** Parse a URL given in configuration, with a clear error instead of a TypeError. */
export function parseUrlOption(value: string | URL, what: string): URL {
  if (value instanceof URL) return value;
  try {
    return new URL(value);
  } catch {
    throw new TokenloopError(
      'CONFIGURATION',
      `${what} is not a valid absolute URL: ${JSON.stringify(value)}`,
    );
  }
}
