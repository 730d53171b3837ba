// Every entry point asks for Node's types: TypeScript 6+ loads none unless asked (test/packaging-types.test.ts).
/// <reference types="node" preserve="true" />
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import type { AccessTokenOptions, AccessTokenVerifier } from '../bearer/access-token.js';
import type { Requirement } from '../bearer/bearer-check.js';
import type { RequestAuth } from '../request-auth.js';
import { SignInRequiredError, type WebAuth, type WebResponse } from '../web-auth.js';
import { adapterRequest, bearerGuard, sessionAuth } from './adapter-core.js';

/** What the middleware adds to each request (`req.auth`); when consent or sign-in is needed, `next(err)` it. */
export type { RequestAuth };

declare module 'express-serve-static-core' {
  interface Request {
    auth?: RequestAuth;
    /** Claims of a verified bearer token (set by `requireBearer`). */
    tokenClaims?: Record<string, unknown>;
  }
}

function send(res: Response, r: WebResponse): void {
  for (const [k, v] of Object.entries(r.headers)) res.setHeader(k, v);
  res.status(r.status).send(r.body ?? '');
}

/**
 * The sign-in routes (login, callback incl. form_post, logout) and `req.auth` on every request. Mount it
 * before your routes: `app.use(signIn(auth))`.
 */
export function signIn(auth: WebAuth): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const run = async () => {
      const web = adapterRequest(auth, req, req.originalUrl);
      const { callbackPath, logoutPath } = auth.options;
      if (
        (web.url.pathname === callbackPath || web.url.pathname === logoutPath) &&
        req.method === 'POST' &&
        !web.form
      ) {
        web.form = await readForm(req);
      }
      const handled = await auth.handle(web);
      if (handled) return send(res, handled);
      req.auth = await sessionAuth(auth, web, req.originalUrl);
      next();
    };
    run().catch(next);
  };
}

/** Read an urlencoded body (form_post, sign-out) when no body parser ran; capped at 64 KiB. */
function readForm(req: Request): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 65_536) {
        reject(Object.assign(new Error('request body too large'), { status: 413 }));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

/** Pages behind sign-in: anonymous visitors go to the login route and come back (same-origin return only). */
export function requireSignIn(auth: WebAuth): RequestHandler {
  return (req, res, next) => {
    if (req.auth?.session) return next();
    res.redirect(302, auth.loginUrl(req.originalUrl));
  };
}

/** Turns SignInRequiredError (consent, MFA, expired sign-in) into a redirect through the login route. */
export function signInErrors(): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (err instanceof SignInRequiredError) return res.redirect(302, err.loginUrl);
    next(err);
  };
}

/**
 * API protection: a valid access token for this API in `Authorization: Bearer`, with the route's scopes or
 * roles; RFC 6750 401 / 403 otherwise. Verified claims are on `req.tokenClaims`.
 */
export function requireBearer(
  verifier: AccessTokenVerifier | AccessTokenOptions,
  need: Requirement = {},
): RequestHandler {
  const guard = bearerGuard(verifier, need);
  return (req, res, next) => {
    guard(req).then((decision) => {
      if (decision.ok) {
        req.tokenClaims = decision.claims;
        return next();
      }
      const { reply } = decision;
      for (const [k, value] of Object.entries(reply.headers)) res.setHeader(k, value);
      res.status(reply.status).json(reply.body);
    }, next);
  };
}
