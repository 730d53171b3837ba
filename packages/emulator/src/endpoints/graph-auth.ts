import { randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { EmulatorContext } from '../context.js';
import { GRAPH_RESOURCE } from '../directory/resources.js';
import { bearerToken } from '../http/request.js';
import { sendJson } from '../http/respond.js';
import type { Exchange } from '../http/route.js';
import { bearerChallenge, claimsChallenge } from '../http/bearer-challenge.js';
import { declaresCp1 } from '../tokens/claims-request.js';
import { type OwnTokenCheck, tokenRevokedAt, verifyOwnAccessToken } from '../tokens/verify.js';

const GRAPH_AUDIENCES = new Set([
  GRAPH_RESOURCE,
  'https://graph.microsoft.com/',
  '00000003-0000-0000-c000-000000000000',
]);

const GRAPH_CHALLENGE = {
  realm: '',
  authorization_uri: 'https://login.microsoftonline.com/common/oauth2/authorize',
  client_id: '00000003-0000-0000-c000-000000000000',
};

/**
 * Graph's error body (`error.code`, `error.message`, `innerError` with the request ids) and headers; a 401 carries
 * Graph's `WWW-Authenticate` challenge, with `challenge`'s parameters added (a claims challenge, S143).
 */
export function graphError(
  x: Exchange,
  status: number,
  code: string,
  message: string,
  challenge: Record<string, string> = {},
): void {
  const requestId = randomUUID();
  const clientRequestId = x.req.headers['client-request-id'];
  sendJson(
    x.res,
    status,
    {
      error: {
        code,
        message,
        innerError: {
          date: new Date().toISOString().replace(/\.\d+Z$/, ''),
          'request-id': requestId,
          'client-request-id': clientRequestId ?? requestId,
        },
      },
    },
    {
      'request-id': requestId,
      ...(status === 401
        ? {
            'WWW-Authenticate': bearerChallenge({ ...GRAPH_CHALLENGE, ...challenge }),
          }
        : {}),
    },
  );
}

/** Headers of a successful Graph answer. */
export function graphHeaders(x: Exchange): Record<string, string> {
  const requestId = randomUUID();
  return {
    'request-id': requestId,
    'client-request-id': String(x.req.headers['client-request-id'] ?? requestId),
  };
}

/**
 * The claims of the request's bearer token when it is a valid Graph token the emulator issued (signature,
 * issuer, lifetime, not revoked, a Graph audience); otherwise answers 401 as Graph does and returns undefined.
 */
export async function graphToken(
  ctx: EmulatorContext,
  x: Exchange,
): Promise<(JWTPayload & Record<string, unknown>) | undefined> {
  const token = bearerToken(x.req);
  if (!token) {
    graphError(x, 401, 'InvalidAuthenticationToken', 'Access token is empty.');
    return undefined;
  }
  const check = await verifyOwnAccessToken(ctx, token);
  if (!check.ok) {
    const message =
      check.reason === 'expired'
        ? 'Access token has expired or is not yet valid.'
        : check.reason === 'revoked'
          ? 'Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp'
          : 'Access token validation failure. Invalid audience or signature.';
    graphError(x, 401, 'InvalidAuthenticationToken', message, revocationChallenge(ctx, check));
    return undefined;
  }
  if (!GRAPH_AUDIENCES.has(String(check.claims.aud))) {
    graphError(x, 401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.');
    return undefined;
  }
  return check.claims;
}

/**
 * S143: a revoked user's token from a client that declared cp1 (`xms_cc`) is answered, as a CAE resource does,
 * with a claims challenge: a token issued at or after the revocation (`nbf` essential). Others: none (the plain
 * 401; a client that cannot answer a challenge is not sent one).
 */
function revocationChallenge(ctx: EmulatorContext, check: OwnTokenCheck): Record<string, string> {
  if (check.ok || check.reason !== 'revoked' || !check.claims || !declaresCp1(check.claims)) return {};
  const revokedAt = tokenRevokedAt(ctx, check.claims) ?? Date.now();
  return claimsChallenge({
    access_token: { nbf: { essential: true, value: String(Math.floor(revokedAt / 1000)) } },
  });
}
