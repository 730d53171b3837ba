// Child process: at a given wall-clock time, asks for a token silently through the shared cache, then prints one
// JSON line {fromCache, token: sha256 of the token} (never the token itself). The cache is the encrypted file at
// <cache>, or, for `redis-cluster:<port>,<port>,…`, a Redis Cluster on those loopback ports. It starts at the
// given time, or, for `go`, once it printed `ready` and then read a line on stdin.
// Usage: silent-at.ts <authority> <clientId> <cache> <startAtEpochMs | go>
import { createHash } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { type CacheStore, createTokenClient, encryptedFileStore } from 'tokenloop';

const [authority, clientId, cache, startAt] = process.argv.slice(2);
if (!authority || !clientId || !cache || !startAt)
  throw new Error('usage: silent-at.ts <authority> <clientId> <cache> <startAt>');
let cluster: Cluster | undefined;
let store: CacheStore;
if (cache.startsWith('redis-cluster:')) {
  const ports = cache.slice('redis-cluster:'.length).split(',');
  const nodes = ports.map((port) => ({ host: '127.0.0.1', port: Number(port) }));
  // Loaded only here, so that the file-store runs start no slower than before.
  const [{ Cluster }, { redisStore }] = await Promise.all([import('ioredis'), import('tokenloop/redis')]);
  cluster = new Cluster(nodes, { lazyConnect: true }); // connects with its first command
  store = redisStore({ client: cluster });
} else {
  store = encryptedFileStore({ path: cache, keyring: 'off' });
}
const client = createTokenClient({ authority, clientId, cache: store });
if (startAt === 'go') {
  await cluster?.connect(); // connected before the start, as a server would be
  process.stdout.write('ready\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  process.stdin.destroy();
} else {
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
}
const result = await client.acquireTokenSilent({ scopes: ['User.Read'] });
process.stdout.write(
  `${JSON.stringify({ fromCache: result.fromCache, token: createHash('sha256').update(result.accessToken).digest('hex') })}\n`,
);
await client.close();
cluster?.disconnect();
