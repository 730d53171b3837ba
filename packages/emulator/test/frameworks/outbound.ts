/**
 * The apps' own outgoing requests (discovery, token, JWKS, Graph), as the test's process makes them through the
 * global `fetch`: recorded (method and path, never headers or bodies); those to the https emulator trust its
 * local CA (what NODE_EXTRA_CA_CERTS does for an app in a process of its own: Node reads it only at start-up);
 * and those meant for Microsoft Graph go to the emulator's Graph instead. Auth.js's Entra provider fetches the
 * user's photo from `https://graph.microsoft.com` itself; the test machine has no route there, and the emulator
 * serves Graph's `/v1.0/me` paths.
 */
import { Agent, fetch as undiciFetch } from 'undici';

const GRAPH = 'https://graph.microsoft.com';

export interface Outbound {
  /** `METHOD origin/path` of each request, in order. */
  seen: string[];
  /** `status error.code` of each answer to a request meant for Graph. */
  graphAnswers: string[];
  restore(): Promise<void>;
}

export function routeOutbound(emulatorUrl: string, caPem: string): Outbound {
  const original = globalThis.fetch;
  const dispatcher = new Agent({ connect: { ca: caPem } });
  const seen: string[] = [];
  const graphAnswers: string[] = [];
  globalThis.fetch = (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    seen.push(`${method} ${url.origin}${url.pathname}`);
    if (url.origin !== GRAPH && url.origin !== emulatorUrl) return original(input, init);
    if (input instanceof Request) throw new Error(`a request to ${url.origin} given as a Request object`);
    const to = url.origin === GRAPH ? `${emulatorUrl}${url.pathname}${url.search}` : url.href;
    const answer = undiciFetch(to, {
      ...(init as Parameters<typeof undiciFetch>[1]),
      signal: init?.signal ?? AbortSignal.timeout(10_000),
      dispatcher,
    }).then(async (res) => {
      if (url.origin === GRAPH) {
        const body = (await res
          .clone()
          .json()
          .catch(() => ({}))) as { error?: { code?: string } };
        graphAnswers.push(`${res.status} ${body.error?.code ?? ''}`);
      }
      return res;
    });
    return answer as unknown as Promise<Response>;
  };
  return {
    seen,
    graphAnswers,
    restore: async () => {
      globalThis.fetch = original;
      await dispatcher.close();
    },
  };
}
