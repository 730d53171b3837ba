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
