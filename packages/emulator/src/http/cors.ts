import type { ServerResponse } from 'node:http';
import type { Headers } from './respond.js';
import type { Route } from './route.js';

/**
 * Cross-origin reads (CORS) as Entra serves them, in one place: the route table says which endpoints a page on
 * another origin may read (`Route.cors`), the router answers their preflights and, for `answers: 'any'`, adds
 * the headers to every answer; the token endpoint decides per request (single-page apps only, see
 * grants/spa-redemption.ts). Every other endpoint (authorize, logout, device code, the pages, the admin API)
 * sends no CORS headers and grants no preflight.
 */

/** What lets any page read an answer: Entra's wildcard (pages send no credentials to these endpoints). */
export const ANY_ORIGIN: Readonly<Record<string, string>> = { 'Access-Control-Allow-Origin': '*' };

/** Request headers a preflight may ask for: the ones MSAL and Graph clients send. */
const ALLOWED_REQUEST_HEADERS =
  'Content-Type, Authorization, client-request-id, return-client-request-id, x-client-SKU, x-client-VER, x-client-OS, x-client-CPU, x-client-current-telemetry, x-client-last-telemetry, x-ms-lib-capability, X-AnchorMailbox';

/** The headers of every answer of a route whose answers any page may read. */
export function corsAnswerHeaders(route: Route): Headers {
  return route.cors?.answers === 'any'
    ? { ...ANY_ORIGIN, 'Access-Control-Allow-Methods': route.cors.methods }
    : {};
}

/** Answers an `OPTIONS` preflight for `route` (undefined: no route there): granted only where `Route.cors` says. */
export function answerPreflight(res: ServerResponse, route: Route | undefined): void {
  if (!route?.cors) {
    res.writeHead(204, { 'Cache-Control': 'no-store' });
    res.end();
    return;
  }
  res.writeHead(204, {
    ...ANY_ORIGIN,
    'Access-Control-Allow-Methods': route.cors.methods,
    'Access-Control-Allow-Headers': ALLOWED_REQUEST_HEADERS,
    'Access-Control-Max-Age': '86400',
  });
  res.end();
}
