// Child process: opens the cache with the encrypted file store and reports the outcome as JSON.
// Usage: read-cache.ts <cachePath> <recordKey>
import { encryptedFileStore } from '../../../src/cache/stores/encrypted-file-store.js';
import { TokenloopError } from '../../../src/errors/errors.js';
import { increment } from '../fixtures.js';

const [path, key] = process.argv.slice(2);
if (!path || !key) throw new Error('usage: read-cache.ts <cachePath> <recordKey>');
const store = encryptedFileStore({ path, keyring: 'off', onWarning: () => {} });
try {
  await store.transact(key, (current) => increment(current, key));
  process.stdout.write(JSON.stringify({ ok: true }) + '\n');
} catch (err) {
  const e = err instanceof TokenloopError ? err : undefined;
  process.stdout.write(
    JSON.stringify({
      ok: false,
      code: e?.code,
      message: e?.message ?? String(err),
      remediation: e?.remediation,
    }) + '\n',
  );
}
