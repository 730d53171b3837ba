// A fetch for a client's `http.fetch` that passes every request on to a real fetch (the emulator answers) and
// notes, for each token-endpoint request, its grant and whether and which `claims` it carried — never a token
// or a secret. `hold()` makes the next token-endpoint request wait until its signal aborts: a provider that
// never answers, to prove cancellation.
import type { FetchLike } from 'tokenloop';

export interface TokenRequest {
  grantType: string | null;
  claims: string | null;
}

export interface WatchedFetch {
  fetch: FetchLike;
  /** Token-endpoint requests so far. */
  tokenRequests: TokenRequest[];
  /** The next token-endpoint request hangs until its signal aborts. */
  hold(): void;
}

async function formOf(init: RequestInit | undefined): Promise<URLSearchParams> {
  const body = init?.body;
  if (body instanceof URLSearchParams) return body;
  if (typeof body === 'string') return new URLSearchParams(body);
  return new URLSearchParams();
}

export function watchedFetch(base: FetchLike = (input, init) => fetch(input, init)): WatchedFetch {
  const tokenRequests: TokenRequest[] = [];
  let holdNext = false;
  return {
    tokenRequests,
    hold: () => {
      holdNext = true;
    },
    async fetch(input, init) {
      if (new URL(input).pathname.endsWith('/oauth2/v2.0/token')) {
        const form = await formOf(init);
        tokenRequests.push({ grantType: form.get('grant_type'), claims: form.get('claims') });
        if (holdNext) {
          holdNext = false;
          const signal = init?.signal;
          return new Promise<Response>((_, reject) => {
            if (!signal) return; // never answers; the test bounds it
            const stop = () => reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
            if (signal.aborted) stop();
            else signal.addEventListener('abort', stop, { once: true });
          });
        }
      }
      return base(input, init);
    },
  };
}
