import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context.js';
import { EntraError } from '../errors/entra-error.js';
import { answerPreflight, corsAnswerHeaders } from './cors.js';
import { crossSiteRefusal } from './cross-site.js';
import { answerFailure } from './failure.js';
import { parseCookies, parseParams } from './request.js';
import { sendJson } from './respond.js';
import type { Exchange, Route } from './route.js';

/** What the listener serves, given by start.ts: the route table, and the page that shows an error to a person. */
export interface Site {
  routes: readonly Route[];
  errorPage: (ctx: EmulatorContext, ex: Exchange, err: EntraError) => void;
}

/** The request target split: the path routed on, the query string, and the method. */
interface Target {
  method: string;
  path: string;
  query: string;
}

/** The route that takes the request and its pattern's match, or the methods the path's routes take. */
type Found = { route: Route; match: RegExpExecArray } | { route?: undefined; allowed: ReadonlySet<string> };

/**
 * The request listener: routes by path, and turns every failure into a response. EntraErrors become Entra
 * bodies (JSON) or the error page; anything unexpected is a 500 that is logged (and fails the fuzz test).
 */
export function createListener(
  ctx: EmulatorContext,
  site: Site,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(ctx, site, req, res);
  };
}

async function handle(
  ctx: EmulatorContext,
  site: Site,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const target = targetOf(req);
  const found = target.method === 'OPTIONS' ? undefined : findRoute(site.routes, target);
  try {
    if (found === undefined) answerOptions(ctx, site.routes, res, target.path);
    else if (found.route) await serve(ctx, found.route, found.match, target, req, res);
    else answerUnrouted(res, target.method, found.allowed);
  } catch (err) {
    const errorPage = found?.route?.errors === 'page' ? site.errorPage : undefined;
    answerFailure(ctx, { req, res, method: target.method, path: target.path }, err, errorPage);
  }
}

function targetOf(req: IncomingMessage): Target {
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path: q === -1 ? raw : raw.slice(0, q),
    query: q === -1 ? '' : raw.slice(q + 1),
  };
}

/** A preflight: none for the admin surface; granted only where the route table allows it (http/cors.ts). */
function answerOptions(
  ctx: EmulatorContext,
  routes: readonly Route[],
  res: ServerResponse,
  path: string,
): void {
  ctx.state.stats.countPreflight();
  // No CORS for the admin surface: scripts on other origins must not be allowed to call it.
  if (path === '/_emulator' || path.startsWith('/_emulator/')) {
    sendJson(res, 403, {
      error: 'forbidden',
      error_description: 'The admin API does not answer cross-origin requests.',
    });
    return;
  }
  answerPreflight(
    res,
    routes.find((r) => r.pattern.test(path)),
  );
}

/** A path may have several routes (GET and POST /devicelogin): the first that takes the method. */
function findRoute(routes: readonly Route[], { path, method }: Target): Found {
  const allowed = new Set<string>();
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    if (route.methods.includes(method)) return { route, match };
    for (const allow of route.methods) allowed.add(allow);
  }
  return { allowed };
}

/** 405 when a route has the path but none takes the method; 404 when none has the path. */
function answerUnrouted(res: ServerResponse, method: string, allowed: ReadonlySet<string>): void {
  if (allowed.size) {
    sendJson(
      res,
      405,
      { error: 'invalid_request', error_description: `Method ${method.slice(0, 10)} not allowed.` },
      { Allow: [...allowed].join(', ') },
    );
    return;
  }
  sendJson(res, 404, {
    error: 'not_found',
    error_description: 'No such endpoint on the tokenloop emulator.',
  });
}

async function serve(
  ctx: EmulatorContext,
  route: Route,
  match: RegExpExecArray,
  target: Target,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const x: Exchange = {
    req,
    res,
    method: target.method,
    path: target.path,
    query: parseParams(target.query),
    cookies: parseCookies(req.headers.cookie),
    params: pathParams(route, match),
  };
  if (route.crossSite === 'refused') refuseCrossSite(ctx, x);
  for (const [name, value] of Object.entries(corsAnswerHeaders(route))) res.setHeader(name, value);
  await route.handler(ctx, x);
}

/** The route's named path segments, decoded; a segment that does not decode, or is too long, names no tenant. */
function pathParams(route: Route, match: RegExpExecArray): Record<string, string> {
  const params: Record<string, string> = {};
  for (let i = 0; i < route.names.length; i++) {
    const value = safeDecode(match[i + 1]!);
    if (value === undefined || value.length > 256) throw new EntraError(90002, { tenant: '(malformed)' });
    params[route.names[i]!] = value;
  }
  return params;
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** S85: the emulator's own page posts come from its own pages; nothing else reaches the handler. */
function refuseCrossSite(ctx: EmulatorContext, x: Exchange): void {
  const why = crossSiteRefusal(ctx, x);
  if (why) {
    throw new EntraError(9002313, {
      detail: `This form can only be sent from the emulator's own page (${why}). If you did not just submit it yourself, another site tried to; nothing was changed.`,
    });
  }
}
