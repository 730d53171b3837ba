import { TokenloopError } from '../errors/errors.js';
import { debug, debugEnabled } from '../log/debug.js';
import type { RetryNotice } from './retry.js';
import { assertUrlAllowed } from './url-policy.js';

/** A `fetch`-compatible function; inject one to route tokenloop's requests through your own stack. */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** HTTP behaviour shared by every network call tokenloop makes. */
export interface HttpOptions {
  /** Custom fetch. Default: undici's fetch with `EnvHttpProxyAgent`, so HTTPS_PROXY / HTTP_PROXY / NO_PROXY apply. */
  fetch?: FetchLike;
  /** Per-request timeout in milliseconds (default 30 000). */
  timeoutMs?: number;
  /** Largest response body accepted, in bytes (default 1 MiB). */
  maxResponseBytes?: number;
  /** Development switch: allow plain http to non-loopback hosts. Never use it in production. */
  dangerouslyAllowInsecureHttp?: boolean;
  /**
   * Told before each retry of a request that is retried when it fails (discovery): which try failed, why, and
   * when the next one starts — so that a program can say what it is waiting for.
   */
  onRetry?: (notice: RetryNotice) => void;
  /**
   * More certificate authorities to trust (PEM), beside Node's own (and NODE_EXTRA_CA_CERTS): a local
   * emulator's CA, an organisation's TLS-inspecting proxy. Applies to the default fetch only.
   */
  ca?: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_BYTES = 1024 * 1024;

/** One default fetch per set of extra trusted CAs ('' = Node's own trust store). */
const defaultFetches = new Map<string, Promise<FetchLike>>();

/** Node's trusted CAs (bundled, and NODE_EXTRA_CA_CERTS) plus `extra`: what `ca` replaces the default with. */
async function trustedCas(extra: string): Promise<string[]> {
  const tls = await import('node:tls');
  const getCA = (tls as { getCACertificates?: (kind: string) => string[] }).getCACertificates;
  if (getCA) return [...getCA('default'), extra];
  // Node 20: the bundled roots, and what NODE_EXTRA_CA_CERTS names, as Node itself would add it.
  const envFile = process.env.NODE_EXTRA_CA_CERTS;
  const fromEnv = envFile
    ? await import('node:fs/promises').then((fs) => fs.readFile(envFile, 'utf8')).catch(() => undefined)
    : undefined;
  return [...tls.rootCertificates, ...(fromEnv ? [fromEnv] : []), extra];
}

/**
 * undici's fetch with a proxy agent that honours HTTPS_PROXY, HTTP_PROXY and NO_PROXY (loaded on first use),
 * trusting `ca` too when given (directly and through a proxy's tunnel).
 */
function proxyAwareFetch(ca = ''): Promise<FetchLike> {
  let made = defaultFetches.get(ca);
  if (!made) {
    made = Promise.all([import('undici'), ca ? trustedCas(ca) : undefined]).then(
      ([{ fetch, EnvHttpProxyAgent }, cas]) => {
        const dispatcher = new EnvHttpProxyAgent(
          cas ? { connect: { ca: cas }, requestTls: { ca: cas } } : {},
        );
        return ((input: string | URL, init?: RequestInit) =>
          fetch(input, { ...(init as object), dispatcher } as Parameters<
            typeof fetch
          >[1]) as unknown as Promise<Response>) as FetchLike;
      },
    );
    defaultFetches.set(ca, made);
  }
  return made;
}

/**
 * Node's codes for a server certificate that cannot be verified, and what each means. Not a network failure
 * (retrying cannot help) but configuration: the trust store, or the server one is talking to (issue 14).
 */
const TLS_VERIFY: Record<string, string> = {
  SELF_SIGNED_CERT_IN_CHAIN: 'it was issued by a certificate authority this machine does not trust',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed, and not trusted here',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its issuing certificate authority is not trusted here',
  UNABLE_TO_GET_ISSUER_CERT: 'its issuing certificate authority is not trusted here',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its issuing certificate authority is not trusted here',
  CERT_UNTRUSTED: 'it is not trusted here',
  CERT_SIGNATURE_FAILURE: 'its signature is invalid',
  CERT_HAS_EXPIRED: "it has expired (or this machine's clock is wrong)",
  CERT_NOT_YET_VALID: "it is not valid yet (or this machine's clock is wrong)",
  CERT_REVOKED: 'it was revoked',
  ERR_TLS_CERT_ALTNAME_INVALID: 'it is not valid for this host name',
};
const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);

/**
 * A failure to verify the server's certificate, as CONFIGURATION with the message
 * `cannot verify the TLS certificate of ORIGIN: REASON (CODE)`, `reason` `tls-untrusted` (an issuer not trusted
 * here) or `tls-invalid`, and `origin`; undefined for any other failure.
 */
function tlsVerifyError(err: unknown, url: URL): TokenloopError | undefined {
  const code = (err as { cause?: { code?: unknown } })?.cause?.code;
  if (typeof code !== 'string' || !(code in TLS_VERIFY)) return undefined;
  return new TokenloopError(
    'CONFIGURATION',
    `cannot verify the TLS certificate of ${url.origin}: ${TLS_VERIFY[code]} (${code})`,
    {
      cause: err,
      reason: UNTRUSTED.has(code) ? 'tls-untrusted' : 'tls-invalid',
      origin: url.origin,
      remediation: UNTRUSTED.has(code)
        ? "If you know and trust the certificate authority that issued it (a local emulator's CA, your organisation's proxy), trust its PEM file: NODE_EXTRA_CA_CERTS=FILE, or the http.ca option."
        : "Check the URL and this machine's clock; the server may not be the one you meant.",
    },
  );
}

async function readCapped(response: Response, max: number, url: URL): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > max) {
    await response.body?.cancel().catch(() => {});
    throw new TokenloopError(
      'INVALID_RESPONSE',
      `response from ${url.origin}${url.pathname} is larger than ${max} bytes`,
    );
  }
  if (!response.body) return new Uint8Array();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => {});
      throw new TokenloopError(
        'INVALID_RESPONSE',
        `response from ${url.origin}${url.pathname} is larger than ${max} bytes`,
      );
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Where a redirect points, without its query or fragment (they may carry codes or tokens). */
function redirectTarget(response: Response, url: URL): string {
  const location = response.headers.get('location');
  if (location === null) return 'nowhere (no Location)';
  try {
    const target = new URL(location, url);
    return `${target.origin}${target.pathname}`;
  } catch {
    return 'an invalid Location';
  }
}

function describeNetworkError(err: unknown): string {
  const e = err as { cause?: { code?: string; message?: string }; message?: string };
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? 'request failed';
}

/**
 * Build the fetch every tokenloop network call uses — the library's, and the web and CLI packages' too (S62):
 * https-or-loopback only, redirects never followed (a 3xx is an error naming where it pointed, S63), a timeout
 * combined with the caller's AbortSignal, a body-size cap (S63), the proxy from the environment, errors mapped
 * to `NETWORK` / `TIMEOUT` / `CANCELLED`, and redacted debug logging (`TOKENLOOP_DEBUG=http`).
 */
export function createHttpFetch(options: HttpOptions = {}): FetchLike {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_BYTES;
  return async (input, init = {}) => {
    const url = new URL(input instanceof URL ? input.href : input);
    assertUrlAllowed(url, 'Endpoint', options.dangerouslyAllowInsecureHttp);
    const fetchImpl = options.fetch ?? (await proxyAwareFetch(options.ca));
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    const started = Date.now();
    let response: Response;
    try {
      response = await fetchImpl(url.href, { ...init, redirect: 'manual', signal });
    } catch (err) {
      if (init.signal?.aborted)
        throw new TokenloopError('CANCELLED', 'the request was cancelled', { cause: init.signal.reason });
      if (timeout.aborted) {
        throw new TokenloopError('NETWORK', `${url.origin} did not answer within ${timeoutMs} ms`);
      }
      throw (
        tlsVerifyError(err, url) ??
        // The fetch error stays the cause: the retry rule reads who refused (retry.ts `worthRetrying`).
        new TokenloopError('NETWORK', `cannot reach ${url.origin}: ${describeNetworkError(err)}`, {
          cause: err,
        })
      );
    }
    if (REDIRECTS.has(response.status)) {
      // S63: never followed (another origin, plain http, a loop): the caller sees why, not a bare status.
      await response.body?.cancel().catch(() => {});
      throw new TokenloopError(
        'INVALID_RESPONSE',
        `${url.origin}${url.pathname} answered with a redirect (HTTP ${response.status}) to ${redirectTarget(response, url)}; tokenloop follows no redirects`,
        { remediation: 'Configure the address the server redirects to, if you trust it.' },
      );
    }
    let body: Uint8Array<ArrayBuffer>;
    try {
      body = await readCapped(response, maxBytes, url);
    } catch (err) {
      if (err instanceof TokenloopError) throw err;
      if (timeout.aborted)
        throw new TokenloopError('NETWORK', `${url.origin} did not finish answering within ${timeoutMs} ms`);
      throw new TokenloopError(
        'NETWORK',
        `connection to ${url.origin} failed mid-response: ${describeNetworkError(err)}`,
      );
    }
    if (debugEnabled('http')) {
      debug(
        'http',
        `${init.method ?? 'GET'} ${url.origin}${url.pathname} → ${response.status} in ${Date.now() - started} ms`,
      );
    }
    const noBody =
      response.status === 204 || response.status === 304 || (response.status >= 100 && response.status < 200);
    return new Response(noBody ? null : body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}
