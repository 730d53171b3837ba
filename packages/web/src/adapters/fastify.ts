// Every entry point asks for Node's types: TypeScript 6+ loads none unless asked (test/packaging-types.test.ts).
/// <reference types="node" preserve="true" />
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { AccessTokenOptions, AccessTokenVerifier } from '../bearer/access-token.js';
import type { Requirement } from '../bearer/bearer-check.js';
import type { RequestAuth } from '../request-auth.js';
import { SignInRequiredError, type WebAuth, type WebResponse } from '../web-auth.js';
import { adapterRequest, bearerGuard, sessionAuth } from './adapter-core.js';

/** What the plugin adds to each request (`request.auth`); its SignInRequiredError is redirected by the plugin. */
export type { RequestAuth };

declare module 'fastify' {
  interface FastifyRequest {
    auth?: RequestAuth;
    tokenClaims?: Record<string, unknown>;
  }
}

function send(reply: FastifyReply, r: WebResponse): FastifyReply {
  for (const [k, v] of Object.entries(r.headers)) reply.header(k, v);
  return reply.code(r.status).send(r.body ?? '');
}

/**
 * Register with `app.register(signIn(auth))` after `@fastify/formbody` (for form_post): serves the login,
 * callback and logout routes, puts `request.auth` on every request, and turns SignInRequiredError into a
 * redirect through the login route.
 */
export function signIn(auth: WebAuth) {
  const plugin = async (app: FastifyInstance): Promise<void> => {
    app.decorateRequest('auth', undefined);
    app.decorateRequest('tokenClaims', undefined);
    const handleAuthRoute = async (req: FastifyRequest, reply: FastifyReply) => {
      const handled = await auth.handle(adapterRequest(auth, req, req.url));
      return handled ? send(reply, handled) : reply.code(404).send();
    };
    app.get(auth.options.loginPath, handleAuthRoute);
    app.get(auth.options.callbackPath, handleAuthRoute);
    app.post(auth.options.callbackPath, handleAuthRoute);
    app.get(auth.options.logoutPath, handleAuthRoute);
    app.post(auth.options.logoutPath, handleAuthRoute);
    app.addHook('preHandler', async (req) => {
      req.auth = await sessionAuth(auth, adapterRequest(auth, req, req.url), req.url);
    });
    app.setErrorHandler(async (err, _req, reply) => {
      if (err instanceof SignInRequiredError) return reply.redirect(err.loginUrl, 302);
      throw err;
    });
  };
  // Hooks and the error handler apply to the whole app, not only to this plugin's scope.
  (plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
  return plugin;
}

/** A preHandler for pages behind sign-in: anonymous visitors go to the login route and come back. */
export function requireSignIn(auth: WebAuth): preHandlerAsyncHookHandler {
  return async (req, reply) => {
    if (!req.auth?.session) return reply.redirect(auth.loginUrl(req.url), 302);
  };
}

/** A preHandler for APIs: RFC 6750 bearer protection with the route's scopes or roles; claims on `request.tokenClaims`. */
export function requireBearer(
  verifier: AccessTokenVerifier | AccessTokenOptions,
  need: Requirement = {},
): preHandlerAsyncHookHandler {
  const guard = bearerGuard(verifier, need);
  return async (req, reply) => {
    const decision = await guard(req);
    if (decision.ok) {
      req.tokenClaims = decision.claims;
      return;
    }
    const refusal = decision.reply;
    return reply.headers(refusal.headers).code(refusal.status).send(refusal.body);
  };
}
