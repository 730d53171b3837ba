import { decodeJwt, errors, jwtVerify } from 'jose';
import type { EmulatorContext } from '../context.js';
import type { App } from '../directory/model.js';
import { EntraError } from '../errors/entra-error.js';
import { IssuerFetchError } from '../errors/issuer-fetch-error.js';
import { issuerKeySet } from '../federation/issuer-keys.js';

/** Algorithms an external issuer may sign with: asymmetric only (never `none`, never a shared secret). */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];

/** What the error messages quote of the presented assertion, at most. */
const quote = (v: unknown) => String(v ?? '').slice(0, 200);

/**
 * Whether a client assertion is an external token (workload identity federation) rather than the app's own
 * certificate-signed one: a private_key_jwt assertion has the client id as `iss` (and `sub`); any other issuer is
 * an external one.
 */
export function isExternalAssertion(assertion: string, app: App): boolean {
  try {
    return decodeJwt(assertion).iss !== app.clientId;
  } catch {
    return false;
  }
}

/** Reads part of a client assertion (its header, its claims): AADSTS700027 when the assertion is not a JWT. */
export function readAssertion<T>(read: () => T): T {
  try {
    return read();
  } catch {
    throw new EntraError(700027, { detail: 'The assertion is not a JWT.' });
  }
}

/**
 * S136: an external token as the app's client assertion, checked as Entra checks it: its `iss`, then `sub`, then
 * `aud` must each equal (case-sensitively) those of one of the app's federated identity credentials
 * (AADSTS700211 / 700213, 7002138 when only the case differs / 700212); only then (S135) are that issuer's keys
 * fetched, and the token must be signed by one of them with an asymmetric algorithm and be unexpired
 * (AADSTS700027 / 700024; AADSTS50166 when the issuer cannot be asked).
 */
export async function verifyFederatedAssertion(
  ctx: EmulatorContext,
  app: App,
  assertion: string,
): Promise<void> {
  const claims = readAssertion(() => decodeJwt(assertion));
  const byIssuer = app.federatedCredentials.filter((f) => f.issuer === claims.iss);
  if (!byIssuer.length) throw new EntraError(700211, { issuer: quote(claims.iss) });
  const bySubject = byIssuer.filter((f) => f.subject === claims.sub);
  if (!bySubject.length) {
    const sub = String(claims.sub ?? '').toLowerCase();
    const caseOnly = byIssuer.some((f) => f.subject.toLowerCase() === sub);
    throw new EntraError(caseOnly ? 7002138 : 700213, { subject: quote(claims.sub) });
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const match = bySubject.find((f) => f.audiences.some((a) => audiences.includes(a)));
  if (!match) throw new EntraError(700212, { audience: quote(audiences.join(', ')) });
  try {
    // S135: the issuer is one this app declares: only now is it asked for its keys.
    const keys = await issuerKeySet(ctx, match.issuer);
    await jwtVerify(assertion, keys, {
      algorithms: ALGORITHMS,
      issuer: match.issuer,
      subject: match.subject,
      audience: match.audiences,
      clockTolerance: 300,
      requiredClaims: ['exp', 'iss', 'sub', 'aud'],
    });
  } catch (err) {
    if (err instanceof EntraError) throw err;
    if (err instanceof errors.JWTExpired) throw new EntraError(700024);
    if (unreachable(err)) {
      throw new EntraError(50166, {
        detail:
          err instanceof IssuerFetchError ? `${err.message}.` : 'The issuer or its key set did not answer.',
      });
    }
    throw new EntraError(700027, { detail: 'The federated token is not signed by a key of its issuer.' });
  }
}

/** The issuer's discovery document or key set could not be had (as opposed to a token that fails the checks). */
function unreachable(err: unknown): boolean {
  if (
    err instanceof IssuerFetchError ||
    err instanceof errors.JWKSTimeout ||
    err instanceof errors.JWKSInvalid
  )
    return true;
  if (err instanceof errors.JOSEError) return err.code === 'ERR_JOSE_GENERIC';
  return err instanceof TypeError || (err instanceof Error && err.name === 'TimeoutError');
}
