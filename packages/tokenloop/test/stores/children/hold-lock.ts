// Child process: takes the cache lock and keeps it until killed; with `mid-write`, it also leaves a
// half-written temporary cache file (as a writer killed between write and rename would) and kills itself.
// Usage: hold-lock.ts <cachePath> [mid-write]
import { writeFile } from 'node:fs/promises';
import { tempFileName } from '../../../src/private-files/atomic-write.js';
import { acquireFileLock } from '../../../src/cache/stores/file-lock.js';

const [path, mode] = process.argv.slice(2);
if (!path) throw new Error('usage: hold-lock.ts <cachePath> [mid-write]');
await acquireFileLock(`${path}.lock`);
if (mode === 'mid-write') {
  await writeFile(tempFileName(path), '{"format":"tokenloop-cache","v":1,"alg":"A256GCM","keyId":"', {
    mode: 0o600,
  });
  process.kill(process.pid, 'SIGKILL');
}
process.stdout.write('locked\n');
setInterval(() => {}, 1_000);
