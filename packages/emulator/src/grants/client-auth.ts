import { createPublicKey } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { EmulatorContext } from '../context.js';
import { type App, isPublicClient } from '../directory/model.js';
import { EntraError } from '../errors/entra-error.js';
import type { Params } from '../http/request.js';
import { safeEqual } from '../http/safe-equal.js';
import { thumbprints } from '../keys/thumbprints.js';
import { isExternalAssertion, readAssertion, verifyFederatedAssertion } from './federated-assertion.js';
import type { ClientAuthLevel } from '../tokens/issue.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface ClientCredentials {
  clientId: string | undefined;
  secret: string | undefined;
  assertion: string | undefined;
  assertionType: string | undefined;
}

/** client_id and credentials from the body and/or HTTP Basic (RFC 6749 §2.3.1: form-urlencoded, then base64). */
export function readClientCredentials(req: IncomingMessage, p: Params): ClientCredentials {
  let clientId = p.get('client_id');
  let secret = p.get('client_secret');
  const header = req.headers.authorization;
  if (header && /^basic /i.test(header)) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 0) throw new EntraError(9002313, { detail: 'Malformed HTTP Basic credentials.' });
    let id: string;
    let pw: string;
    try {
      id = decodeURIComponent(decoded.slice(0, i).replace(/\+/g, ' '));
      pw = decodeURIComponent(decoded.slice(i + 1).replace(/\+/g, ' '));
    } catch {
      throw new EntraError(9002313, { detail: 'Malformed HTTP Basic credentials.' });
    }
    if (clientId && clientId !== id)
      throw new EntraError(9002313, { detail: 'client_id differs from the Basic credentials.' });
    if (secret)
      throw new EntraError(9002313, { detail: 'Only one client authentication method may be used.' });
    clientId = id;
    secret = pw;
  }
  return {
    clientId,
    secret,
    assertion: p.get('client_assertion'),
    assertionType: p.get('client_assertion_type'),
  };
}

/**
 * Authenticates the client as Entra does. Public clients must send no credentials (AADSTS700025);
 * confidential ones a secret (post or Basic) or a certificate-signed assertion (`x5t` or `x5t#S256`).
 */
export async function authenticateClient(
  ctx: EmulatorContext,
  app: App,
  creds: ClientCredentials,
  /** `aud` values a client assertion may carry: see assertionAudiences. */
  audiences: string[],
): Promise<ClientAuthLevel> {
  const presented = creds.secret !== undefined || creds.assertion !== undefined;
  if (isPublicClient(app)) {
    if (presented) throw new EntraError(700025);
    return '0';
  }
  if (creds.secret !== undefined && creds.assertion !== undefined) {
    throw new EntraError(9002313, { detail: 'Only one client authentication method may be used.' });
  }
  if (creds.secret !== undefined) {
    const match = app.credentials.find((c) => c.secret !== undefined && safeEqual(creds.secret!, c.secret));
    if (!match) throw new EntraError(7000215, { clientId: app.clientId });
    if (match.expiresAt !== undefined && match.expiresAt * 1000 < Date.now())
      throw new EntraError(7000222, { clientId: app.clientId });
    return '1';
  }
  if (creds.assertion !== undefined) {
    if (creds.assertionType !== ASSERTION_TYPE)
      throw new EntraError(9002313, { detail: 'Invalid client_assertion_type.' });
    await verifyAssertion(ctx, app, creds.assertion, audiences);
    return '2';
  }
  throw new EntraError(7000218);
}

async function verifyAssertion(
  ctx: EmulatorContext,
  app: App,
  assertion: string,
  audiences: string[],
): Promise<void> {
  const header = readAssertion(() => decodeProtectedHeader(assertion));
  const certs = app.credentials
    .filter((c) => c.certificatePem)
    .map((c) => ({ c, t: thumbprints(c.certificatePem!) }));
  const found = certs.find(
    ({ t }) =>
      (header.x5t !== undefined && t.x5t === header.x5t) ||
      (header['x5t#S256'] !== undefined && t.x5tS256 === header['x5t#S256']),
  );
  // S136: not signed with one of the app's certificates and not issued by the app itself: an external token of
  // one of its federated identity credentials (workload identity federation).
  if (!found && isExternalAssertion(assertion, app)) return verifyFederatedAssertion(ctx, app, assertion);
  if (!found) {
    throw new EntraError(700027, {
      detail: `Key was not found for thumbprint '${String(header.x5t ?? header['x5t#S256'] ?? '').slice(0, 60)}'.`,
    });
  }
  if (found.c.expiresAt !== undefined && found.c.expiresAt * 1000 < Date.now()) {
    throw new EntraError(700027, { detail: 'The certificate credential has expired.' });
  }
  let payload: Record<string, unknown>;
  try {
    const result = await jwtVerify(assertion, createPublicKey(found.c.certificatePem!), {
      algorithms: ['RS256', 'PS256'],
      audience: audiences,
      clockTolerance: 300,
      requiredClaims: ['exp', 'iss', 'sub', 'aud'],
    });
    payload = result.payload as Record<string, unknown>;
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw new EntraError(700024);
    if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'aud') {
      throw new EntraError(700027, {
        detail: 'The audience claim must be the token endpoint URL (or the issuer).',
      });
    }
    throw new EntraError(700027, { detail: 'Signature or claims are invalid.' });
  }
  if (payload.iss !== app.clientId || payload.sub !== app.clientId) throw new EntraError(700021);
  const jti = typeof payload.jti === 'string' ? payload.jti : undefined;
  if (jti) {
    const key = `${app.clientId}:${jti}`;
    if (ctx.state.assertionIds.get(key))
      throw new EntraError(700027, { detail: 'The assertion was already used (jti replay).' });
    ctx.state.assertionIds.set(key, true, ((payload.exp as number) + 600) * 1000);
  }
}
