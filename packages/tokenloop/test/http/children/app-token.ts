// Child process: gets an app token and signs in a user with a device code at the provider given, with
// whatever HTTP_PROXY / NO_PROXY / TOKENLOOP_DEBUG the parent set. Prints nothing on stdout but "ok".
// Usage: app-token.ts <issuer> <clientId> <secret>
import { createTokenClient } from 'tokenloop';

const [issuer, clientId, clientSecret] = process.argv.slice(2);
if (!issuer || !clientId || !clientSecret)
  throw new Error('usage: app-token.ts <issuer> <clientId> <secret>');
const client = createTokenClient({ issuer, clientId, clientSecret });
await client.acquireAppToken({ scopes: ['read'] });
await client.loginWithDeviceCode({ scopes: ['read'], onPrompt: () => {} });
await client.acquireTokenSilent({ scopes: ['read'], forceRefresh: true });
process.stdout.write('ok\n');
