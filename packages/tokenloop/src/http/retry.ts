import { TokenloopError } from '../errors/errors.js';
import { isUnavailableStatus } from '../errors/unavailable-status.js';
import { isLoopbackAddress } from './loopback.js';

/** How safe requests are retried (C7): discovery, JWKS, client credentials, device polling — never code redemption. */
export interface RetryPolicy {
  /** Total attempts including the first (default DEFAULT_RETRY_ATTEMPTS, 3). */
  attempts?: number;
  /** Base of the exponential back-off in ms (default 250); full jitter is applied. */
  baseDelayMs?: number;
  /** Longest single wait in ms, including a server's Retry-After (default 10 000). */
  maxDelayMs?: number;
  /** Told before each retry: which try failed, why, and how long until the next. */
  onRetry?: (notice: Omit<RetryNotice, 'url'>) => void;
}

/** A retry about to happen (`HttpOptions.onRetry`): programs that wait visibly can say so. */
export interface RetryNotice {
  /** What is being fetched (origin and path, never a query). */
  url: string;
  /** The try that failed (1-based) and how many there are in all. */
  attempt: number;
  attempts: number;
  /** Why: the network error's message, or the HTTP status. */
  reason: string;
  /** How long until the next try. */
  delayMs: number;
}

/**
 * Parse `Retry-After` (delay-seconds or an HTTP date, RFC 9110 §10.2.3) into milliseconds from `now`.
 * Returns undefined when absent; throws when present but malformed (S24).
 */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const date = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(v)
    ? Date.parse(v)
    : NaN;
  if (Number.isNaN(date)) {
    throw new TokenloopError(
      'INVALID_RESPONSE',
      `the provider sent a malformed Retry-After header: ${JSON.stringify(v.slice(0, 40))}`,
    );
  }
  return Math.max(0, date - now);
}

/** How many tries a retried request gets unless its policy says otherwise. */
export const DEFAULT_RETRY_ATTEMPTS = 3;

/**
 * Which answers are tried again: the unavailable statuses (`isUnavailableStatus`) a later try can cure —
 * throttling (429) and a failing server or gateway (500, 502, 503, 504). Deliberately not the other 5xx: 501 Not
 * Implemented, 505 HTTP Version Not Supported, 507, 508, 510, 511 say the same on every try; they stay
 * unavailable (PROVIDER_UNAVAILABLE, transient) but are reported at once.
 */
const CURED_BY_A_LATER_TRY: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

function worthRetryingStatus(status: number): boolean {
  return isUnavailableStatus(status) && CURED_BY_A_LATER_TRY.has(status);
}

/**
 * The one rule for which failed request is tried again: a NETWORK failure, except a connection this machine's
 * loopback refused (ECONNREFUSED from 127.0.0.0/8 or ::1: nothing listens on that port, and nothing will within
 * the back-off, so the caller's message and fix come at once), and a port fetch never connects to (`bad port`).
 */
export function worthRetrying(err: unknown): boolean {
  if (!(err instanceof TokenloopError) || err.code !== 'NETWORK') return false;
  const system = (err.cause as { cause?: unknown } | undefined)?.cause as
    { code?: unknown; address?: unknown; message?: unknown } | undefined;
  if (system?.message === 'bad port') return false;
  return !(
    system?.code === 'ECONNREFUSED' &&
    typeof system.address === 'string' &&
    isLoopbackAddress(system.address)
  );
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted)
      return reject(new TokenloopError('CANCELLED', 'cancelled', { cause: signal.reason }));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new TokenloopError('CANCELLED', 'cancelled', { cause: signal?.reason }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Send an idempotent request with retries on network errors and on the unavailable statuses a later try can cure
 * (`worthRetryingStatus`), honouring Retry-After and using
 * exponential back-off with full jitter. The last response (even an error status) is returned for the
 * caller to process; the last network error is thrown.
 */
export async function withRetry(
  send: () => Promise<Response>,
  policy: RetryPolicy = {},
  signal?: AbortSignal,
): Promise<Response> {
  const attempts = Math.max(1, policy.attempts ?? DEFAULT_RETRY_ATTEMPTS);
  const base = policy.baseDelayMs ?? 250;
  const cap = policy.maxDelayMs ?? 10_000;
  for (let attempt = 1; ; attempt++) {
    let response: Response | undefined;
    let reason = '';
    try {
      response = await send();
    } catch (err) {
      if (!worthRetrying(err) || attempt >= attempts) throw err;
      reason = (err as TokenloopError).message;
    }
    let delay: number;
    if (response) {
      if (!worthRetryingStatus(response.status) || attempt >= attempts) return response;
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
      if (retryAfter !== undefined && retryAfter > cap) return response;
      reason = `HTTP ${response.status}`;
      delay = retryAfter ?? Math.random() * Math.min(cap, base * 2 ** (attempt - 1));
    } else delay = Math.random() * Math.min(cap, base * 2 ** (attempt - 1));
    policy.onRetry?.({ attempt, attempts, reason, delayMs: Math.round(delay) });
    await sleep(delay, signal);
  }
}
