// Child process: at a given wall-clock time, asks for a token silently through the shared encrypted cache
// file, then prints one JSON line {fromCache, token: sha256 of the token} (never the token itself).
// Usage: silent-at.ts <authority> <clientId> <cachePath> <startAtEpochMs>
import { createHash } from 'node:crypto';
import { createTokenClient, encryptedFileStore } from 'tokenloop';

const [authority, clientId, path, startAt] = process.argv.slice(2);
if (!authority || !clientId || !path || !startAt)
  throw new Error('usage: silent-at.ts <authority> <clientId> <cachePath> <startAt>');
const client = createTokenClient({
  authority,
  clientId,
  cache: encryptedFileStore({ path, keyring: 'off' }),
});
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
const result = await client.acquireTokenSilent({ scopes: ['User.Read'] });
process.stdout.write(
  `${JSON.stringify({ fromCache: result.fromCache, token: createHash('sha256').update(result.accessToken).digest('hex') })}\n`,
);
await client.close();
