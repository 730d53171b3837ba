import { parseCookie, stringifySetCookie } from 'cookie';

/** Cookie flags for this app (S56): HttpOnly always; Secure except on plain-http loopback development. */
export interface CookiePolicy {
  secure: boolean;
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  try {
    return parseCookie(header)[name];
  } catch {
    return undefined; // malformed Cookie header: as if absent (S53)
  }
}

export function setCookie(
  policy: CookiePolicy,
  name: string,
  value: string,
  o: { maxAgeSeconds: number; path?: string; sameSite?: 'lax' | 'none' },
): string {
  const sameSite = o.sameSite ?? 'lax';
  return stringifySetCookie({
    name,
    value,
    httpOnly: true,
    // SameSite=None is only honoured with Secure; form_post therefore needs https.
    secure: policy.secure || sameSite === 'none',
    sameSite,
    path: o.path ?? '/',
    maxAge: o.maxAgeSeconds,
  });
}

export function clearCookie(policy: CookiePolicy, name: string, path = '/'): string {
  return setCookie(policy, name, '', { maxAgeSeconds: 0, path });
}
