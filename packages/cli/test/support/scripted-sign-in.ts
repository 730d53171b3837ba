// A device-code sign-in of `user` (`USER@example.test`, subject `USER-sub`) at a scripted provider, as the token
// path tests make their signed-in homes: the provider answers the code with `at-USER-signed-in` (an hour, with a
// refresh token) and any `extra` fields; a renewal is answered by `renewal`, when given.
import assert from 'node:assert/strict';
import type { Handler, ScriptedProvider } from '../../../tokenloop/test/support/scripted-provider.js';
import { runCli } from './cli.js';

export async function signInScripted(
  p: ScriptedProvider,
  env: NodeJS.ProcessEnv,
  user: string,
  o: { extra?: Record<string, unknown>; renewal?: Handler } = {},
): Promise<void> {
  const idToken = await p.idToken({ sub: `${user}-sub`, preferred_username: `${user}@example.test` });
  const signedIn = {
    body: {
      access_token: `at-${user}-signed-in`,
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: `rt-${user}`,
      scope: 'openid offline_access read',
      id_token: idToken,
      ...o.extra,
    },
  };
  const renewal = o.renewal;
  p.on('/token', (req) =>
    renewal && req.body.get('grant_type') === 'refresh_token' ? renewal(req) : signedIn,
  );
  const flags = ['--issuer', p.url, '--client-id', p.clientId, '--scope', 'read'];
  const r = await runCli(['login', '--device', ...flags], env);
  assert.equal(r.code, 0, r.stderr);
}
