import { createHash, randomBytes } from 'node:crypto';

/** Plain-fetch protocol helpers for tests: written from RFC 6749 / 7636, independent of the emulator code. */

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizeUrl(base: string, tenant: string, params: Record<string, string>): URL {
  const url = new URL(`${base}/${tenant}/oauth2/v2.0/authorize`);
  url.search = new URLSearchParams(params).toString();
  return url;
}

export async function tokenRequest(
  base: string,
  tenant: string,
  params: Record<string, string>,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${base}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams(params),
    headers,
  });
  const body = (await res.json()) as Record<string, unknown>;
  return { status: res.status, headers: res.headers, body };
}

export function claimsOf(jwt: unknown): Record<string, unknown> {
  if (typeof jwt !== 'string') throw new TypeError('not a JWT');
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

export function headerOf(jwt: unknown): Record<string, unknown> {
  if (typeof jwt !== 'string') throw new TypeError('not a JWT');
  return JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Runs authorize (auto-login emulator) and returns the redirect's parameters (query or fragment). */
export async function authorizeAuto(
  url: URL,
): Promise<{ status: number; params: URLSearchParams; location: string | null }> {
  const res = await fetch(url, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (!location) return { status: res.status, params: new URLSearchParams(), location };
  const target = new URL(location);
  const params = target.hash ? new URLSearchParams(target.hash.slice(1)) : target.searchParams;
  return { status: res.status, params, location };
}

/** How a test sends a request: fetch, or a wrapper that keeps cookies (redirects stay with the caller). */
export type Send = (url: string | URL, init: RequestInit) => Promise<Response>;

/** A GET whose redirects stay with the caller, bounded to 10 s. */
export function getManual(url: string | URL, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(10_000), headers });
}

/** A form POST (application/x-www-form-urlencoded) whose redirects stay with the caller, bounded to 10 s. */
export function postForm(
  url: string | URL,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
  send: Send = fetch,
): Promise<Response> {
  return send(url, {
    method: 'POST',
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}
