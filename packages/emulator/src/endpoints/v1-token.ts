import { decodeJwt } from 'jose';
import type { EmulatorContext } from '../context.js';
import type { App } from '../directory/model.js';
import { findResource } from '../directory/resources.js';
import type { Params } from '../http/request.js';
import type { Exchange } from '../http/route.js';
import type { TokenResponse } from '../tokens/issue.js';
import { OIDC_SCOPES } from '../directory/scopes.js';
import { unsignedV1IdToken } from '../tokens/v1-id-token.js';
import { type TokenDialect, tokenEndpoint } from './token.js';
import { requireResource, resourceScope, V1_USER_SCOPES } from './v1-resource.js';

/**
 * `POST /{tenant}/oauth2/token` — the v1 token endpoint, as ADAL-era clients call it: the v2 endpoint's grants,
 * asked with `resource` instead of `scope`, answered in the v1 shape. Sources in docs/emulator-fidelity.md.
 */
export async function v1Token(ctx: EmulatorContext, x: Exchange): Promise<void> {
  await tokenEndpoint(ctx, x, V1);
}

const V1: TokenDialect = {
  read(ctx, p, app, tenant) {
    const resource = p.get('resource');
    const named = resource !== undefined ? resourceScope(resource, tenant.segment) : undefined;
    const user = (first: string) => [first, ...V1_USER_SCOPES].join(' ');
    let scope: string | undefined;
    let codeScope: string | undefined;
    switch (p.get('grant_type')) {
      case 'client_credentials':
        scope = requireResource(resource, tenant.segment);
        break;
      case 'password':
        scope = user(requireResource(resource, tenant.segment));
        break;
      case 'urn:ietf:params:oauth:grant-type:jwt-bearer': {
        // On-behalf-of names `scope` too: `openid` asks for an ID token.
        const oidc = (p.get('scope') ?? '')
          .split(' ')
          .filter((s) => (OIDC_SCOPES as readonly string[]).includes(s.toLowerCase()));
        scope = [requireResource(resource, tenant.segment), ...oidc, 'offline_access'].join(' ');
        break;
      }
      case 'refresh_token':
        // Multi-resource: any resource the user consented to; none named means the original one.
        scope = named && user(named);
        break;
      case 'authorization_code': {
        // `resource` is named at authorize or here; the one named at authorize is the one the code is for.
        const code = ctx.state.codes.peek(p.get('code') ?? '')?.value;
        if (code && code.clientId === app.clientId && !code.scopes.resources.length)
          codeScope = user(requireResource(resource, tenant.segment));
        break;
      }
    }
    return {
      params: withScope(p, scope),
      ...(codeScope !== undefined ? { codeScope } : {}),
      answer: (body) => v1Answer(ctx, body, app, resource),
    };
  },
};

/** The request with `scope` replaced (v1 ignores the `scope` the client sent, on-behalf-of's OIDC values aside). */
function withScope(p: Params, scope: string | undefined): Params {
  return {
    get: (name) => (name === 'scope' ? scope : p.get(name)),
    has: (name) => (name === 'scope' ? scope !== undefined : p.has(name)),
    duplicates: p.duplicates,
    entries: () => [
      ...p.entries().filter(([name]) => name !== 'scope'),
      ...(scope !== undefined ? [['scope', scope] as [string, string]] : []),
    ],
  };
}

/**
 * The v1 answer, written from the grant's: the numbers as strings, `expires_on` and `not_before` (the access
 * token's `exp` and `nbf`), `resource`, `scope` as the permissions the token carries (none for app tokens),
 * and the ID token in its v1 form, unsigned. `resource` is the one the client named when the token is for it,
 * else the one the token is for (named at authorize, or at the first sign-in of a refresh token).
 */
function v1Answer(
  ctx: EmulatorContext,
  body: TokenResponse,
  app: App,
  asked: string | undefined,
): TokenResponse {
  const claims = decodeJwt(String(body.access_token));
  const aud = String(claims.aud);
  const issuedFor = findResource(ctx.directory, aud);
  const namedResource = asked !== undefined ? findResource(ctx.directory, asked) : undefined;
  const resource =
    asked !== undefined && namedResource !== undefined && namedResource.appId === issuedFor?.appId
      ? asked
      : claims.ver === '1.0'
        ? aud
        : (issuedFor?.identifiers[0] ?? aud);
  const out: TokenResponse = { token_type: String(body.token_type) };
  if (typeof claims.scp === 'string') out.scope = claims.scp;
  out.expires_in = String(body.expires_in);
  out.ext_expires_in = String(body.ext_expires_in);
  out.expires_on = String(claims.exp);
  out.not_before = String(claims.nbf);
  out.resource = resource;
  out.access_token = String(body.access_token);
  if (body.refresh_token !== undefined) out.refresh_token = body.refresh_token;
  const user = typeof claims.oid === 'string' ? ctx.directory.users.get(claims.oid) : undefined;
  if (body.id_token !== undefined && user) {
    out.id_token = unsignedV1IdToken(ctx.url, {
      user,
      clientId: app.clientId,
      iat: Number(claims.iat),
      exp: Number(claims.exp),
    });
  }
  return out;
}
