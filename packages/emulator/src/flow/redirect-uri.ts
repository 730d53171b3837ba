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
    if (reg.protocol === 'http:' && req.protocol === 'http:' && LOOPBACK_HOSTS.has(reg.hostname)) {
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
