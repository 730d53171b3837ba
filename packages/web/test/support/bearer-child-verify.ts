// Child process for the proxy test: verifies the token in BEARER_TEST_TOKEN with a verifier for BEARER_TEST_AUTHORITY
// and BEARER_TEST_AUDIENCE, under whatever HTTP_PROXY / NO_PROXY the parent set. Prints "ok", or the error's
// code and message (which never hold the token).
import { createAccessTokenVerifier } from '@tokenloop/web';

const {
  BEARER_TEST_AUTHORITY: authority,
  BEARER_TEST_AUDIENCE: audience,
  BEARER_TEST_TOKEN: token,
} = process.env;
if (!authority || !audience || !token)
  throw new Error('BEARER_TEST_AUTHORITY, _AUDIENCE and _TOKEN are needed');
try {
  await createAccessTokenVerifier({ authority, audience }).verify(token);
  process.stdout.write('ok\n');
} catch (err) {
  const e = err as { code?: string; message?: string };
  process.stdout.write(`${e.code ?? 'error'}: ${e.message ?? String(err)}\n`);
}
