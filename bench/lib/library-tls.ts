// The library benches talk to an https emulator (MSAL refuses http authorities) whose certificate comes from a
// local CA. Instead of NODE_EXTRA_CA_CERTS (read only at start-up), both clients get a network stack that
// trusts exactly that CA: tokenloop through its `http.fetch` option, msal-node through `system.networkClient`
// (the documented INetworkModule extension point), written to behave as msal-node's own fetch-based HttpClient.
import { readFileSync } from 'node:fs';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { Agent, fetch as undiciFetch } from 'undici';

export interface TrustingNetwork {
  /** A fetch for tokenloop's `http.fetch`. */
  fetch: (input: string | URL, init?: RequestInit) => Promise<Response>;
  /** A network client for msal-node's `system.networkClient`. */
  msal: INetworkModule;
  close(): Promise<void>;
}

/** Loopback only: every request must go to 127.0.0.1, localhost or ::1. */
function assertLoopback(url: string | URL): void {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '[::1]', '::1'].includes(host))
    throw new Error(`bench: refusing a request to ${host} (loopback only)`);
}

export function trustingNetwork(caCertFile: string): TrustingNetwork {
  const dispatcher = new Agent({ connect: { ca: readFileSync(caCertFile, 'utf8') }, connections: 64 });
  const fetch = ((input: string | URL, init?: RequestInit) => {
    assertLoopback(input);
    return undiciFetch(input, { ...(init as object), dispatcher } as Parameters<typeof undiciFetch>[1]);
  }) as unknown as TrustingNetwork['fetch'];

  async function send<T>(
    url: string,
    method: 'GET' | 'POST',
    options?: NetworkRequestOptions,
    timeout?: number,
  ): Promise<NetworkResponse<T>> {
    const headers = new Headers();
    for (const [k, v] of Object.entries(options?.headers ?? {})) headers.append(k, v);
    const res = await fetch(url, {
      method,
      headers,
      ...(method === 'POST' ? { body: options?.body ?? '' } : {}),
      signal: AbortSignal.timeout(timeout ?? 30_000),
    });
    const out: Record<string, string> = {};
    res.headers.forEach((value, key) => {
      out[key] = value;
    });
    return { headers: out, body: (await res.json()) as T, status: res.status };
  }

  return {
    fetch,
    msal: {
      sendGetRequestAsync: (url, options, timeout) => send(url, 'GET', options, timeout),
      sendPostRequestAsync: (url, options) => send(url, 'POST', options),
    },
    close: () => dispatcher.close(),
  };
}
