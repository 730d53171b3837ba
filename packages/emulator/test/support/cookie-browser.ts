/**
 * A browser as the emulator's pages see it, over plain HTTP: keeps the cookies responses set (and forgets the
 * cleared ones), sends them back, and says where a request comes from with the headers a real browser adds
 * (`Origin`, `Sec-Fetch-Site`). By default a post comes from the emulator's own page (same origin); tests of
 * cross-site requests pass the headers another site's page would cause.
 */

export interface SentFrom {
  /** The `Origin` header, or null for none. Default: the emulator's origin on posts, none on GETs. */
  origin?: string | null;
  /** The `Sec-Fetch-Site` header, or null for none. Default: `same-origin` on posts, none on GETs. */
  site?: 'same-origin' | 'same-site' | 'cross-site' | 'none' | null;
  /** Send no cookies at all (a request from a browser without this one's cookies). */
  noCookies?: boolean;
}

export interface CookieBrowser {
  readonly cookies: Map<string, string>;
  get(url: string | URL, from?: SentFrom): Promise<Response>;
  post(url: string, fields: Record<string, string>, from?: SentFrom): Promise<Response>;
}

const COOKIE = /^([^=;\s]+)=([^;]*)/;

export function cookieBrowser(origin: string): CookieBrowser {
  const cookies = new Map<string, string>();
  const remember = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const m = COOKIE.exec(line);
      if (!m) continue;
      if (m[2] === '' || /;\s*max-age=0\b/i.test(line)) cookies.delete(m[1]!);
      else cookies.set(m[1]!, m[2]!);
    }
  };
  const headers = (from: SentFrom, isPost: boolean): Record<string, string> => {
    const h: Record<string, string> = {};
    const o = from.origin === undefined ? (isPost ? origin : null) : from.origin;
    const s = from.site === undefined ? (isPost ? 'same-origin' : null) : from.site;
    if (o !== null) h.origin = o;
    if (s !== null) h['sec-fetch-site'] = s;
    if (!from.noCookies && cookies.size) h.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    return h;
  };
  return {
    cookies,
    async get(url, from = {}) {
      const res = await fetch(url, {
        redirect: 'manual',
        signal: AbortSignal.timeout(10_000),
        headers: headers(from, false),
      });
      remember(res);
      return res;
    },
    async post(url, fields, from = {}) {
      const res = await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(10_000),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers(from, true) },
        body: new URLSearchParams(fields).toString(),
      });
      remember(res);
      return res;
    },
  };
}

/** The value of hidden field `name` in a page, or undefined. */
export function hiddenField(html: string, name: string): string | undefined {
  return new RegExp(`<input type="hidden" name="${name}" value="([^"]*)"`).exec(html)?.[1];
}

/** The form target (`action`) of the first form in a page, or undefined. */
export function formAction(html: string): string | undefined {
  return /<form method="post" action="([^"]+)"/.exec(html)?.[1];
}
