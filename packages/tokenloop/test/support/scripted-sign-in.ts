// Sign a user in at the scripted provider through the real two-step flow, without a browser: the provider's
// /authorize is not involved, the callback is built from the request (what a browser would bring back).
import { type AuthResult, type TokenClient } from 'tokenloop';
import type { ScriptedProvider } from './scripted-provider.js';

export async function scriptedSignIn(
  p: ScriptedProvider,
  client: TokenClient,
  extra: { claims?: Record<string, unknown>; response?: Record<string, unknown>; scopes?: string[] } = {},
): Promise<AuthResult> {
  const { url, transaction } = await client.beginAuthorization({
    redirectUri: 'http://127.0.0.1:9/cb',
    scopes: extra.scopes ?? ['read'],
  });
  const nonce = url.searchParams.get('nonce') ?? undefined;
  p.on('/token', async () => ({
    body: await p.tokenResponse({ id_token: await p.idToken({ nonce, ...extra.claims }), ...extra.response }),
  }));
  try {
    return await client.completeAuthorization(
      transaction,
      new URLSearchParams({ code: 'code-1', state: transaction.state, iss: p.url }),
    );
  } finally {
    p.on('/token', undefined);
  }
}
