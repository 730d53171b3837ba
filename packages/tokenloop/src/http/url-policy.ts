import { TokenloopError } from '../errors/errors.js';
import { isLoopbackHost } from './loopback.js';

/**
 * Refuse anything but https, except http on loopback (S16; the one loopback rule, S210). `allowInsecureHttp` is the loudly named
 * development switch for other plain-http hosts.
 */
export function assertUrlAllowed(url: URL, what: string, allowInsecureHttp = false): void {
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && (isLoopbackHost(url.hostname) || allowInsecureHttp)) return;
  throw new TokenloopError(
    'CONFIGURATION',
    `${what} must use https (plain http is only allowed on loopback): ${url.origin}`,
    {
      remediation: 'Use an https URL, or set dangerouslyAllowInsecureHttp for a development server.',
      reason: 'https-required',
      origin: url.origin,
    },
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
