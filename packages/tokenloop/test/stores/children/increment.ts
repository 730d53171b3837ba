// Child process: increments the counter of one record `times` times through the encrypted file store.
// Usage: increment.ts <cachePath> <recordKey> <times> [delayMs]
import { encryptedFileStore } from '../../../src/cache/stores/encrypted-file-store.js';
import { increment } from '../fixtures.js';

const [path, key, times, delay] = process.argv.slice(2);
if (!path || !key || !times) throw new Error('usage: increment.ts <cachePath> <recordKey> <times> [delayMs]');
const store = encryptedFileStore({
  path,
  keyring: 'off',
  onWarning: (m) => process.stderr.write(`warning: ${m}\n`),
});
for (let i = 0; i < Number(times); i++) {
  await store.transact(key, (current) => increment(current, key));
  process.stdout.write('done\n');
  if (delay) await new Promise((resolve) => setTimeout(resolve, Number(delay)));
}
