import { unbracketed } from './loopback.js';
import { isWithinLocalCa } from './loopback-names.js';

/** 0.0.0.0 and :: : every address of the machine (or container). */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/**
 * S152: the base URL given as `publicUrl` (`--public-url`), checked: an absolute http(s) URL with the scheme the
 * emulator serves, a host, and nothing else (no user or password, path, query or fragment). Returns its origin.
 * S153: with https, the server certificate must name the host, and the local CA vouches for loopback names only
 * (S89): a host outside them is refused here rather than served with a certificate every client rejects.
 * Returns what is wrong, or undefined.
 */
export function publicUrlProblem(value: string, https: boolean): string | undefined {
  // Not echoed: it may hold a password.
  const refuse = (why: string) => `the public URL ${why}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return refuse('is not an absolute URL (e.g. http://emulator:8400)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return refuse('must use http or https');
  if (url.username || url.password) return refuse('must not contain a user name or password');
  if (url.search || url.hash || value.includes('?') || value.includes('#'))
    return refuse('must not have a query or fragment');
  if (url.pathname !== '/')
    return refuse('must not have a path: the emulator serves its endpoints at the root');
  if (isWildcardHost(url.hostname))
    return refuse('must name a host the clients reach, not a wildcard address');
  const scheme = https ? 'https:' : 'http:';
  if (url.protocol !== scheme) {
    return refuse(
      https
        ? 'must use https: the emulator serves https (--https)'
        : 'must use http: the emulator serves plain http (add --https to serve https)',
    );
  }
  if (https && !isWithinLocalCa(unbracketed(url.hostname))) {
    return refuse(
      "cannot be served with https: the emulator's local CA vouches for localhost, *.localhost, 127.0.0.0/8 and ::1 only (so that trusting it cannot expose other sites); use http on a private container network, or a name ending in .localhost",
    );
  }
  return undefined;
}

/**
 * S152: the one base URL of a running emulator, from which every issuer, discovery document, redirect, page
 * link and Graph link is built (`ctx.url`): the public URL when given, else the address it listens on (a
 * wildcard address, which no client can use, as 127.0.0.1 or ::1).
 */
export function baseUrl(o: {
  secure: boolean;
  host: string;
  port: number;
  publicUrl: string | undefined;
}): string {
  if (o.publicUrl !== undefined) return new URL(o.publicUrl).origin;
  const host = o.host === '0.0.0.0' ? '127.0.0.1' : isWildcardHost(o.host) ? '::1' : o.host;
  return `${o.secure ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${o.port}`;
}
