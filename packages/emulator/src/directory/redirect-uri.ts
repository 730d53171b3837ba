/**
 * Entra's redirect URI rules: exact, case-sensitive match of the normalised URI, except that for http
 * loopback (`localhost`, `127.0.0.1`) the port is ignored (RFC 8252 §7.3). A URI without a path means `/`.
 */
export function isAbsoluteUri(uri: string): boolean {
  try {
    new URL(uri);
    return /^[a-z][a-z0-9+.-]*:/i.test(uri);
  } catch {
    return false;
  }
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1']);

/**
 * Entra's loopback hosts for redirect URIs: plain http is registrable, and the port is ignored, for exactly
 * `localhost` and `127.0.0.1` (not the rest of 127.0.0.0/8, not [::1]); narrower than http/loopback.ts.
 */
export const isEntraLoopbackRedirectHost = (hostname: string): boolean => LOOPBACK_HOSTS.has(hostname);

export function matchesRedirectUri(registered: readonly string[], requested: string): boolean {
  let req: URL;
  try {
    req = new URL(requested);
  } catch {
    return false;
  }
  if (requested.length > 2048) return false;
  return registered.some((candidate) => {
    let reg: URL;
    try {
      reg = new URL(candidate);
    } catch {
      return false;
    }
    if (reg.protocol === 'http:' && req.protocol === 'http:' && isEntraLoopbackRedirectHost(reg.hostname)) {
      return (
        req.hostname === reg.hostname &&
        req.pathname === reg.pathname &&
        req.search === reg.search &&
        req.hash === reg.hash &&
        req.username === '' &&
        req.password === ''
      );
    }
    return req.href === reg.href;
  });
}
