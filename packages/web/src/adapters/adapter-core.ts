import {
  type AccessTokenOptions,
  type AccessTokenVerifier,
  createAccessTokenVerifier,
} from '../bearer/access-token.js';
import { type Requirement, checkBearer, checkRequirement } from '../bearer/bearer-check.js';
import { type BearerRequestParts, bearerReply, bearerRequest } from '../bearer/bearer-http.js';
import { type RequestAuth, requestAuth } from '../request-auth.js';
import type { WebAuth, WebRequest } from '../web-auth.js';
import { type NodeRequestParts, toWebRequest } from '../session/web-http.js';

/**
 * S166: what the Express and Fastify adapters do alike, once; an adapter only translates between its framework
 * and these. The request as the core reads it, against the configured origin.
 */
export function adapterRequest(
  auth: WebAuth,
  req: Omit<NodeRequestParts, 'target'>,
  target: string,
): WebRequest {
  return toWebRequest(auth.options.origin, {
    method: req.method,
    target,
    headers: req.headers,
    body: req.body,
  });
}

/** S166: a request no sign-in route answered gets the app's `auth` from its session (`target`: where it came). */
export async function sessionAuth(auth: WebAuth, web: WebRequest, target: string): Promise<RequestAuth> {
  return requestAuth(auth, await auth.session(web), target);
}

/** What a bearer guard decides for one request: its verified claims, or the RFC 6750 refusal to send. */
export type BearerDecision =
  { ok: true; claims: Record<string, unknown> } | { ok: false; reply: ReturnType<typeof bearerReply> };

/**
 * S166: API protection as both adapters run it: the verifier made once from options, the route's requirement
 * checked at start-up (S96), then per request the verified claims or the RFC 6750 reply.
 */
export function bearerGuard(
  verifier: AccessTokenVerifier | AccessTokenOptions,
  need: Requirement,
): (req: BearerRequestParts) => Promise<BearerDecision> {
  const v = 'verify' in verifier ? verifier : createAccessTokenVerifier(verifier);
  checkRequirement(need); // S96: at start-up, not at the first request
  return async (req) => {
    const outcome = await checkBearer(v, bearerRequest(req), need);
    return outcome.ok ? outcome : { ok: false, reply: bearerReply(outcome) };
  };
}
