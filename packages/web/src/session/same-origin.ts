import type { WebRequest } from './web-http.js';

/**
 * S65: a request that changes state (sign-out) must come from the app's own pages. Browsers send
 * `Sec-Fetch-Site` and `Origin` on every POST and a page cannot forge either: `Sec-Fetch-Site` must say
 * `same-origin` when sent, and `Origin` must be the app's origin when it names one (`null` is a privacy-mode
 * origin, decided by `Sec-Fetch-Site`). With neither header there is no proof, and the request is refused.
 *
 * @example
 * ```ts
 * fromOwnPage({ method: 'POST', url, cookieHeader, origin: 'https://app.example.com' }, 'https://app.example.com'); // true
 * ```
 */
export function fromOwnPage(req: WebRequest, appOrigin: string): boolean {
  const site = req.secFetchSite?.trim().toLowerCase();
  const origin = req.origin?.trim();
  if (site !== undefined && site !== 'same-origin') return false;
  if (origin !== undefined && origin !== 'null') return origin === appOrigin;
  return site === 'same-origin';
}
