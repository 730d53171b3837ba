// A scripted Entra on 127.0.0.1 with two tenants, A and B, whose one user belongs to B: whatever tenant the
// sign-in is at, its tokens are B's (issuer and `tid`), as a provider that lets a user of another tenant in
// would answer. The emulator itself refuses such a sign-in (AADSTS50020, S205), as Entra does. S206.
import { SignJWT } from 'jose';
import {
  type ScriptedProvider,
  startScriptedProvider,
} from '../../../tokenloop/test/support/scripted-provider.js';

export const TENANT_A = '11111111-2222-4333-8444-555555555555'; // the tenant the authority names
export const TENANT_B = '66666666-7777-4888-9999-000000000000'; // the user's home tenant

/** An ID token of the user's home tenant B, as Entra writes it, signed by the provider. */
function homeTenantIdToken(p: ScriptedProvider): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    tid: TENANT_B,
    oid: 'c0c0c0c0-0000-4000-8000-000000000001',
    sub: 'carol-sub',
    preferred_username: 'carol@fabrikam.example',
  })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(`${p.url}/${TENANT_B}/v2.0`)
    .setAudience(p.clientId)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(p.signingKey);
}

/** The provider: one discovery document per tenant (its issuer names the tenant), and tokens of tenant B. */
export async function startTenantBProvider(): Promise<ScriptedProvider> {
  const p = await startScriptedProvider();
  for (const tenant of [TENANT_A, TENANT_B]) {
    p.on(`/${tenant}/v2.0/.well-known/openid-configuration`, () => ({
      body: {
        issuer: `${p.url}/${tenant}/v2.0`,
        authorization_endpoint: `${p.url}/authorize`,
        token_endpoint: `${p.url}/token`,
        device_authorization_endpoint: `${p.url}/device`,
        jwks_uri: `${p.url}/jwks`,
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['none'],
      },
    }));
  }
  p.on('/token', async () => ({
    body: await p.tokenResponse({
      scope: 'openid profile offline_access User.Read',
      id_token: await homeTenantIdToken(p),
    }),
  }));
  return p;
}
