import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context.js';
import type { Params } from './request.js';

/** One request as handlers see it: the raw request/response, its path, query and cookies. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  query: Params;
  cookies: Map<string, string>;
  /** Path parameters captured by the route pattern (`tenant`, `id`, …). */
  params: Record<string, string>;
}

export type Handler = (ctx: EmulatorContext, x: Exchange) => Promise<void> | void;

/**
 * How a route treats a request a page on another site made the browser send (S85):
 * - `refused`: the emulator's own page posts (`/_ui/…`). Accepted only from the emulator's own page (fetch
 *   metadata / Origin, checked by the router) and with the page's token bound to this browser's cookie
 *   (checked by the handler); anything else is refused before the handler changes anything.
 * - `entry`: where an app sends the browser (authorize, logout, the device-code page); cross-site by design,
 *   so they never change what the user owns (session, consent, device approvals) without the user acting on an
 *   emulator page, or proof that the app itself asked (a valid `id_token_hint` at logout).
 * - `api`: JSON endpoints for programs, not pages; protected by client authentication, bearer tokens or the
 *   admin guard.
 */
export type CrossSite = 'refused' | 'entry' | 'api';

/** Which pages on other origins may read a route's answers (CORS), as Entra serves it (see http/cors.ts). */
export interface Cors {
  /** `Access-Control-Allow-Methods`, of the answers and of the granted preflight. */
  methods: string;
  /**
   * `any`: every answer may be read by any page (discovery, keys, Graph); `handler`: the handler decides per
   * request (the token endpoint: a single-page app redeeming its own grant only).
   */
  answers: 'any' | 'handler';
}

export interface Route {
  methods: string[];
  pattern: RegExp;
  /** Names of the pattern's capture groups, in order. */
  names: string[];
  handler: Handler;
  /** How errors from this route are shown: JSON (APIs) or an HTML page (browser endpoints). */
  errors: 'json' | 'page';
  crossSite: CrossSite;
  /** Absent: no page on another origin may read the answers, and preflights are not granted. */
  cors?: Cors;
}
