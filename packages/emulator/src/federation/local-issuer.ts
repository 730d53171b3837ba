import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import type { EmulatorContext } from '../context.js';
import { DEFAULT_FEDERATION_AUDIENCE } from '../directory/model.js';
import { sendJson } from '../http/respond.js';
import type { Exchange } from '../http/route.js';
import { ISSUER_NAME_RE, ISSUERS_PATH } from '../directory/issuer-names.js';

/**
 * The emulator's own external issuers ("CI issuers", S137): stand-ins for GitHub Actions or a Kubernetes cluster,
 * each at `{emulator}/issuers/{name}` with its own OIDC discovery document and JWKS, so workload identity
 * federation runs offline. Their key is not the emulator's Entra signing key: a CI token is never an Entra token.
 */
/** S137: a CI token lives at most a day (Kubernetes' projected tokens: an hour by default; GitHub's: minutes). */
export const CI_TOKEN_LIFETIME = { default: 3600, min: 60, max: 86_400 } as const;

interface IssuerKey {
  kid: string;
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  jwk: JWK;
}

const keys = new WeakMap<EmulatorContext, Promise<IssuerKey>>();

/** One RSA key for all of this emulator's CI issuers, made on first use, gone with the process. */
function issuerKey(ctx: EmulatorContext): Promise<IssuerKey> {
  let k = keys.get(ctx);
  if (!k) {
    k = (async () => {
      const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: false });
      const kid = randomUUID();
      return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
    })();
    keys.set(ctx, k);
  }
  return k;
}

export function localIssuerUrl(ctx: EmulatorContext, name: string): string {
  return `${ctx.url}${ISSUERS_PATH}/${name}`;
}

/** The name of the emulator's own CI issuer `iss` names, if it names one. */
export function localIssuerName(ctx: EmulatorContext, iss: string): string | undefined {
  const prefix = `${ctx.url}${ISSUERS_PATH}/`;
  if (!iss.startsWith(prefix)) return undefined;
  const name = iss.slice(prefix.length);
  return ISSUER_NAME_RE.test(name) ? name : undefined;
}

/** The public keys of the CI issuers (S137), as their JWKS publishes them. */
export async function localIssuerJwks(ctx: EmulatorContext): Promise<{ keys: JWK[] }> {
  return { keys: [(await issuerKey(ctx)).jwk] };
}

export interface CiTokenRequest {
  issuer: string;
  subject: string;
  audience?: string | undefined;
  lifetime?: number | undefined;
}

export interface CiToken {
  token: string;
  /** The issuer's URL (`iss`). */
  issuer: string;
  subject: string;
  audience: string;
  /** `exp`, seconds since the epoch. */
  expires_on: number;
}

/** S137: a CI token of the issuer `req.issuer` (a name), for `req.subject` and `req.audience`, RS256-signed. */
export async function mintCiToken(ctx: EmulatorContext, req: CiTokenRequest): Promise<CiToken> {
  const key = await issuerKey(ctx);
  const now = Math.floor(Date.now() / 1000);
  const issuer = localIssuerUrl(ctx, req.issuer);
  const audience = req.audience ?? DEFAULT_FEDERATION_AUDIENCE;
  const exp = now + (req.lifetime ?? CI_TOKEN_LIFETIME.default);
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid })
    .setIssuer(issuer)
    .setSubject(req.subject)
    .setAudience(audience)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(exp)
    .setJti(randomUUID())
    .sign(key.privateKey);
  return { token, issuer, subject: req.subject, audience, expires_on: exp };
}

/** `GET /issuers/{name}/.well-known/openid-configuration` (S137). */
export function localIssuerDiscovery(ctx: EmulatorContext, x: Exchange): void {
  const name = x.params.issuer!;
  if (!ISSUER_NAME_RE.test(name)) {
    sendJson(x.res, 404, { error: 'not_found', error_description: 'No such issuer.' });
    return;
  }
  const issuer = localIssuerUrl(ctx, name);
  sendJson(x.res, 200, {
    issuer,
    jwks_uri: `${issuer}/keys`,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti'],
  });
}

/** `GET /issuers/{name}/keys` (S137). */
export async function localIssuerKeys(ctx: EmulatorContext, x: Exchange): Promise<void> {
  if (!ISSUER_NAME_RE.test(x.params.issuer!)) {
    sendJson(x.res, 404, { error: 'not_found', error_description: 'No such issuer.' });
    return;
  }
  sendJson(x.res, 200, await localIssuerJwks(ctx));
}
