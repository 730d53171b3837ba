/** A mail program's username and password, from SASL PLAIN (RFC 4616) or the LOGIN mechanism. */
export interface Credentials {
  user: string;
  password: string;
}

const fromBase64 = (b64: string): Buffer | undefined => {
  const t = b64.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t)) return undefined;
  return Buffer.from(t, 'base64');
};

/** `[authzid] NUL authcid NUL passwd`; an authzid other than the user itself is refused (no proxy auth). */
export function decodePlain(b64: string): Credentials | undefined {
  const raw = fromBase64(b64);
  if (!raw) return undefined;
  const parts = raw.toString('utf8').split('\0');
  if (parts.length !== 3) return undefined;
  const [authz, user, password] = parts as [string, string, string];
  if (!user || !password) return undefined;
  if (authz && authz.toLowerCase() !== user.toLowerCase()) return undefined;
  return { user, password };
}

/** One base64 field of the LOGIN mechanism (username, then password). */
export function decodeLoginField(b64: string): string | undefined {
  const raw = fromBase64(b64);
  return raw === undefined ? undefined : raw.toString('utf8');
}
