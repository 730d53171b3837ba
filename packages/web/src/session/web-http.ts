/** A request as the core sees it; adapters build it. `url` is resolved against `baseUrl`, not `Host` (S52). */
export interface WebRequest {
  method: string;
  url: URL;
  cookieHeader: string | undefined;
  /** form_post callbacks and sign-out: the decoded form. */
  form?: URLSearchParams | undefined;
  /** The `Origin` request header, as sent (S65). */
  origin?: string | undefined;
  /** The `Sec-Fetch-Site` request header, as sent (S65). */
  secFetchSite?: string | undefined;
}

/** What the core answers; adapters write it out. */
export interface WebResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body?: string;
}

/** One request header as a single string: absent, or sent more than once (ambiguous), is undefined. */
export function singleHeader(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** What an adapter knows of a Node request: enough for the core's {@link WebRequest}. */
export interface NodeRequestParts {
  method: string;
  /** The request target (path and query) as received. */
  target: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body the framework parsed, if any. */
  body: unknown;
}

/**
 * The core's view of a request, the same for every adapter. The URL comes from the configured origin and the
 * request path only: `Host` and `X-Forwarded-*` are ignored (S52).
 */
export function toWebRequest(origin: string, req: NodeRequestParts): WebRequest {
  let url: URL;
  try {
    url = new URL(req.target, origin);
  } catch {
    url = new URL('/', origin);
  }
  const form =
    req.method === 'POST' && req.body && typeof req.body === 'object'
      ? new URLSearchParams(req.body as Record<string, string>)
      : undefined;
  return {
    method: req.method,
    url,
    cookieHeader: singleHeader(req.headers.cookie),
    form,
    origin: singleHeader(req.headers.origin),
    secFetchSite: singleHeader(req.headers['sec-fetch-site']),
  };
}
