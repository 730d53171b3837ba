import type { BearerOutcome, BearerRequest } from './bearer-check.js';

/** What an adapter knows of a request for `checkBearer`: its headers and the query and body it parsed. */
export interface BearerRequestParts {
  headers: { authorization?: string | undefined };
  query: unknown;
  body: unknown;
}

const has = (v: unknown, key: string) => !!v && typeof v === 'object' && key in v;

/** S44: the request as `checkBearer` needs it, the same for every adapter (S166). */
export function bearerRequest(req: BearerRequestParts): BearerRequest {
  return {
    authorization: req.headers.authorization,
    tokenInQuery:
      has(req.query, 'access_token') &&
      typeof (req.query as Record<string, unknown>).access_token === 'string',
    tokenInBody: has(req.body, 'access_token'),
  };
}

/** The RFC 6750 reply to a refused request (S45), the same for every adapter (S166). */
export function bearerReply(outcome: Extract<BearerOutcome, { ok: false }>): {
  status: number;
  headers: Record<string, string>;
  body: { error: string; error_description?: string };
} {
  return {
    status: outcome.status,
    headers: { 'www-authenticate': outcome.wwwAuthenticate, 'cache-control': 'no-store' },
    body: outcome.error
      ? { error: outcome.error, error_description: outcome.description }
      : { error: 'unauthorized' },
  };
}
