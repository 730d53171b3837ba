// Sign in (device code, the emulator's auto-login), then make the cached access token genuinely expired while the
// refresh token stays valid: the next silent call must refresh. For the single-flight tests.
import type { TokenClient } from 'tokenloop';

export async function signInWithExpiredToken(client: TokenClient): Promise<void> {
  const login = await client.loginWithDeviceCode({ scopes: ['User.Read'], onPrompt: () => {} });
  const exported = JSON.parse(await client.exportAccount(login.account!)) as {
    record: { accessTokens: { expiresAt?: number; obtainedAt: number }[] };
  };
  for (const t of exported.record.accessTokens) {
    t.obtainedAt = Date.now() - 3_700_000;
    t.expiresAt = Date.now() - 100_000;
  }
  await client.importAccount(JSON.stringify(exported));
}
