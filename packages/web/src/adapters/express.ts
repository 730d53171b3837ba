// Every entry point asks for Node's types: TypeScript 6+ loads none unless asked (test/packaging-types.test.ts).
/// <reference types="node" preserve="true" />
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuthResult } from 'tokenloop';
import {
  type AccessTokenVerifier,
  createAccessTokenVerifier,
  type AccessTokenOptions,
} from '../bearer/access-token.js';
import { checkBearer, checkRequirement, type Requirement } from '../bearer/bearer-check.js';
import {
  SignInRequiredError,
  type WebAuth,
  type WebRequest,
  type WebResponse,
  type WebSession,
} from '../web-auth.js';
import { toWebRequest } from '../session/web-http.js';

/** What the middleware adds to each request. */
export interface RequestAuth {
  session: WebSession | undefined;
  /** An access token for a downstream API; when consent or sign-in is needed, `next(err)` it: the error handler redirects. */
  getAccessToken(scopes: string[]): Promise<AuthResult>;
}

declare module 'express-serve-static-core' {
  interface Request {
    auth?: RequestAuth;
    /** Claims of a verified bearer token (set by `requireBearer`). */
    tokenClaims?: Record<string, unknown>;
  }
}

function webRequest(auth: WebAuth, req: Request): WebRequest {
  return toWebRequest(auth.options.origin, {
    method: req.method,
    target: req.originalUrl,
    headers: req.headers,
    body: req.body,
  });
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
      const web = webRequest(auth, req);
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
      const session = await auth.session(web);
      req.auth = {
        session,
        getAccessToken: (scopes) => {
          if (!session)
            return Promise.reject(
              new SignInRequiredError('not signed in', auth.loginUrl(req.originalUrl, scopes)),
            );
          return auth.getAccessToken(session, scopes, req.originalUrl);
        },
      };
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
  const v = 'verify' in verifier ? verifier : createAccessTokenVerifier(verifier);
  checkRequirement(need); // S96: at start-up, not at the first request
  return (req, res, next) => {
    const body = req.body as Record<string, unknown> | undefined;
    checkBearer(
      v,
      {
        authorization: req.headers.authorization,
        tokenInQuery: typeof req.query?.access_token === 'string',
        tokenInBody: !!body && typeof body === 'object' && 'access_token' in body,
      },
      need,
    ).then((outcome) => {
      if (outcome.ok) {
        req.tokenClaims = outcome.claims;
        return next();
      }
      res.setHeader('www-authenticate', outcome.wwwAuthenticate);
      res.setHeader('cache-control', 'no-store');
      res
        .status(outcome.status)
        .json(
          outcome.error
            ? { error: outcome.error, error_description: outcome.description }
            : { error: 'unauthorized' },
        );
    }, next);
  };
}
