import { IssuerFetchError } from '../errors/issuer-fetch-error.js';
import { isLoopbackHost } from '../http/loopback.js';

/** S135: what the emulator reads of an external issuer's discovery document or key set, at most. */
export const ISSUER_FETCH_LIMITS = { timeoutMs: 5_000, maxBytes: 64 * 1024 } as const;

/** S135: an http(s) URL on this machine (127.0.0.0/8, ::1, localhost): the only place the emulator fetches from. */
export function isLoopbackUrl(url: URL): boolean {
  return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(url.hostname);
}

/**
 * S135: the one way the emulator fetches from an external issuer: loopback URLs only, no redirects followed,
 * bounded in time and size (`ISSUER_FETCH_LIMITS`). Answers a Response whose body was read within the bounds.
 */
export async function boundedFetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
  const url = new URL(String(input));
  if (!isLoopbackUrl(url))
    throw new IssuerFetchError(`the emulator fetches from loopback issuers only, not ${url.origin}`);
  const signal = AbortSignal.any([
    AbortSignal.timeout(ISSUER_FETCH_LIMITS.timeoutMs),
    ...(init.signal ? [init.signal] : []),
  ]);
  const res = await fetch(url, { ...init, redirect: 'manual', signal });
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > ISSUER_FETCH_LIMITS.maxBytes) {
    await res.body?.cancel();
    throw new IssuerFetchError(`${url.origin} answered more than ${ISSUER_FETCH_LIMITS.maxBytes} bytes`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body?.getReader();
  for (let r = await reader?.read(); reader && r && !r.done; r = await reader.read()) {
    size += r.value.byteLength;
    if (size > ISSUER_FETCH_LIMITS.maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new IssuerFetchError(`${url.origin} answered more than ${ISSUER_FETCH_LIMITS.maxBytes} bytes`);
    }
    chunks.push(r.value);
  }
  return new Response(Buffer.concat(chunks), { status: res.status, headers: res.headers });
}
