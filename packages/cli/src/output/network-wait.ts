import type { RetryNotice } from 'tokenloop';
import { terminalText } from './quote.js';
import { say } from './terminal.js';

/** How long the CLI waits for one answer from a provider before the try counts as failed. */
export const REQUEST_TIMEOUT_MS = 10_000;
/** When a wait for a provider is long enough to say what it waits for. */
const SAY_AFTER_MS = 1500;

/** What a command tells the person while it waits for a provider. */
export interface NetworkWait {
  /** Says "Contacting HOST…" if no answer came within a moment. */
  start(): void;
  /** The provider answered (or the wait is over): nothing more to say. */
  stop(): void;
  /** For `HttpOptions.onRetry`: one line per retry, with why and which try comes next. */
  onRetry(notice: RetryNotice): void;
  /** Whether the provider has not answered yet (start() and no stop()). */
  readonly waiting: boolean;
  /** Tries made so far (1 + retries). */
  readonly tries: number;
}

/** The host a provider URL names, for "Contacting HOST…" (the URL itself when it is not one: refused later). */
export function hostOf(url: string): string {
  return URL.canParse(url) ? new URL(url).host : url;
}

/**
 * S199: why a try failed, as it happened: a refused connection is said to be refused (the provider's host is up
 * and nothing listens there), anything else is no answer.
 */
function retryCause(n: Pick<RetryNotice, 'url' | 'reason'>): string {
  const url = terminalText(n.url);
  return /\bECONNREFUSED\b/.test(n.reason)
    ? `${terminalText(hostOf(n.url))} refused the connection to ${url} (ECONNREFUSED)`
    : `No answer from ${url} (${terminalText(n.reason)})`;
}

/**
 * Long waits say what they wait for: after a moment without an answer, the host and the bound (tries of
 * REQUEST_TIMEOUT_MS each); then each retry with its reason. All on stderr: stdout stays data.
 */
export function networkWait(host: string, attempts: number): NetworkWait {
  let timer: NodeJS.Timeout | undefined;
  let waiting = false;
  let said = false;
  let tries = 1;
  // Once, and before any retry notice: what is waited for comes first.
  const contacting = () => {
    if (said) return;
    said = true;
    clearTimeout(timer);
    say(
      `Contacting ${terminalText(host)}… (each try waits up to ${REQUEST_TIMEOUT_MS / 1000} s, ${attempts} tries; Ctrl-C to cancel)`,
    );
  };
  return {
    start() {
      waiting = true;
      if (said) return;
      timer = setTimeout(contacting, SAY_AFTER_MS);
      timer.unref();
    },
    stop() {
      waiting = false;
      clearTimeout(timer);
    },
    onRetry(n) {
      tries = n.attempt + 1;
      contacting();
      say(`${retryCause(n)}; trying again (${n.attempt + 1} of ${n.attempts})…`);
    },
    get waiting() {
      return waiting;
    },
    get tries() {
      return tries;
    },
  };
}

/**
 * The wait for a command's provider (its authority or issuer), with the library's number of tries: the one
 * mechanism login, doctor, token and whoami say their waits with (S199: no command waits in silence).
 */
export async function providerWait(settings: {
  authority?: string | undefined;
  issuer?: string | undefined;
}): Promise<NetworkWait> {
  const { DEFAULT_RETRY_ATTEMPTS } = await import('tokenloop');
  return networkWait(hostOf(settings.authority ?? settings.issuer ?? ''), DEFAULT_RETRY_ATTEMPTS);
}
