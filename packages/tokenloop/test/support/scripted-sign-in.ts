// Sign a user in at the scripted provider through the real two-step flow, without a browser: the provider's
// /authorize is not involved, the callback is built from the request (what a browser would bring back).
import { type AuthResult, type TokenClient } from 'tokenloop';
import type { ScriptedProvider } from './scripted-provider.js';

export interface ScriptedSignInOptions {
  claims?: Record<string, unknown>;
  response?: Record<string, unknown>;
  scopes?: string[];
  maxAge?: number;
  /** Build the ID token yourself (given the request's nonce). */
  idToken?: (nonce: string | undefined) => Promise<string>;
}

export async function scriptedSignIn(
  p: ScriptedProvider,
  client: TokenClient,
  extra: ScriptedSignInOptions = {},
): Promise<AuthResult> {
  const { url, transaction } = await client.beginAuthorization({
    redirectUri: 'http://127.0.0.1:9/cb',
    scopes: extra.scopes ?? ['read'],
    ...(extra.maxAge !== undefined ? { maxAge: extra.maxAge } : {}),
  });
  const nonce = url.searchParams.get('nonce') ?? undefined;
  const idToken = extra.idToken ? await extra.idToken(nonce) : await p.idToken({ nonce, ...extra.claims });
  p.on('/token', async () => ({ body: await p.tokenResponse({ id_token: idToken, ...extra.response }) }));
  try {
    return await client.completeAuthorization(
      transaction,
      new URLSearchParams({ code: 'code-1', state: transaction.state, iss: p.url }),
    );
  } finally {
    p.on('/token', undefined);
  }
}
