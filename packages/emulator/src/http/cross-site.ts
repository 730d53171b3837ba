import type { EmulatorContext } from '../context.js';
import { isOwnOrigin } from './origin.js';
import type { Exchange } from './route.js';

/**
 * S85: why a post to one of the emulator's own pages did not come from the emulator's own page, or undefined
 * when nothing says so. A browser says where a request comes from in `Sec-Fetch-Site` (only `same-origin` is
 * the emulator itself: `same-site` is any other port on 127.0.0.1) and in `Origin` (the pages are served with
 * `Referrer-Policy: same-origin`, so their own posts carry the real origin; `null` is an opaque origin such as
 * a sandboxed frame). Programs that send neither still need the page's token bound to the browser cookie.
 */
export function crossSiteRefusal(ctx: EmulatorContext, x: Exchange): string | undefined {
  const site = x.req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin')
    return `the browser says it came from ${site.slice(0, 20)}`;
  const origin = x.req.headers.origin;
  if (origin !== undefined && !isOwnOrigin(ctx, origin)) return 'it came from another origin';
  return undefined;
}
