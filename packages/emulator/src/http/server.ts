import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context.js';
import { EntraError } from '../errors/entra-error.js';
import { answerPreflight, corsAnswerHeaders } from './cors.js';
import { crossSiteRefusal } from './cross-site.js';
import { BodyTooLargeError, parseCookies, parseParams } from './request.js';
import { sendJson } from './respond.js';
import type { Exchange, Route } from './route.js';

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * The request listener: routes by path, and turns every failure into a response. EntraErrors become Entra
 * bodies (JSON) or the error page; anything unexpected is a 500 that is logged (and fails the fuzz test).
 */
/** What the listener serves, given by start.ts: the route table, and the page that shows an error to a person. */
export interface Site {
  routes: readonly Route[];
  errorPage: (ctx: EmulatorContext, ex: Exchange, err: EntraError) => void;
}

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
  { routes, errorPage }: Site,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const path = q === -1 ? raw : raw.slice(0, q);
  const method = (req.method ?? 'GET').toUpperCase();
  let errorsAs: 'json' | 'page' = 'json';
  try {
    if (method === 'OPTIONS') {
      ctx.state.stats.countPreflight();
      // No CORS for the admin surface: scripts on other origins must not be allowed to call it.
      if (path === '/_emulator' || path.startsWith('/_emulator/')) {
        sendJson(res, 403, {
          error: 'forbidden',
          error_description: 'The admin API does not answer cross-origin requests.',
        });
        return;
      }
      // Granted only where the route table allows pages on other origins (http/cors.ts).
      answerPreflight(
        res,
        routes.find((r) => r.pattern.test(path)),
      );
      return;
    }
    // A path may have several routes (GET and POST /devicelogin): 405 only when none takes the method.
    const allowed = new Set<string>();
    for (const r of routes) {
      const m = r.pattern.exec(path);
      if (!m) continue;
      errorsAs = r.errors;
      if (!r.methods.includes(method)) {
        for (const allow of r.methods) allowed.add(allow);
        continue;
      }
      const params: Record<string, string> = {};
      for (let i = 0; i < r.names.length; i++) {
        const value = safeDecode(m[i + 1]!);
        if (value === undefined || value.length > 256) throw new EntraError(90002, { tenant: '(malformed)' });
        params[r.names[i]!] = value;
      }
      const x: Exchange = {
        req,
        res,
        method,
        path,
        query: parseParams(q === -1 ? '' : raw.slice(q + 1)),
        cookies: parseCookies(req.headers.cookie),
        params,
      };
      if (r.crossSite === 'refused') {
        // S85: the emulator's own page posts come from its own pages; nothing else reaches the handler.
        const why = crossSiteRefusal(ctx, x);
        if (why) {
          throw new EntraError(9002313, {
            detail: `This form can only be sent from the emulator's own page (${why}). If you did not just submit it yourself, another site tried to; nothing was changed.`,
          });
        }
      }
      for (const [name, value] of Object.entries(corsAnswerHeaders(r))) res.setHeader(name, value);
      await r.handler(ctx, x);
      return;
    }
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
  } catch (err) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof EntraError) {
      if (errorsAs === 'page') errorPage(ctx, { req, res } as Exchange, err);
      else
        sendJson(res, err.status, err.toBody(), {
          'Cache-Control': 'no-store, no-cache',
          Pragma: 'no-cache',
          ...err.headers,
        });
      return;
    }
    if (err instanceof BodyTooLargeError) {
      sendJson(
        res,
        413,
        { error: 'invalid_request', error_description: 'Request body too large.' },
        { Connection: 'close' },
      );
      return;
    }
    if (
      (err as NodeJS.ErrnoException)?.code === 'ECONNRESET' ||
      (err as NodeJS.ErrnoException)?.code === 'ERR_STREAM_PREMATURE_CLOSE'
    ) {
      res.destroy();
      return;
    }
    ctx.log(`internal error on ${method} ${path.slice(0, 100)}: ${(err as Error)?.stack ?? String(err)}`);
    sendJson(res, 500, {
      error: 'server_error',
      error_description: 'Internal emulator error (a bug: please report it).',
    });
  }
}
