// The emulator runs inside its users' processes (startEmulator in a test suite, the benches). An
// AsyncLocalStorage or async hook there turns on promise hooks for the whole process on Node 20 and 22, so every
// promise of the user's own code pays for it (measured: the library's silent path ran at ~60% of its speed while
// the emulator's token endpoint used one). What a request needs is passed explicitly.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const SRC = join(import.meta.dirname, '..', 'src');

test('no emulator source uses AsyncLocalStorage or async hooks (per-request data is passed explicitly)', () => {
  const files = readdirSync(SRC, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts'));
  assert.ok(files.length > 50, `the scan sees the sources (${files.length} files)`);
  const offenders = files.filter((f) =>
    /\bAsyncLocalStorage\b|\bcreateHook\(|['"]node:async_hooks['"]/.test(readFileSync(join(SRC, f), 'utf8')),
  );
  assert.deepEqual(offenders, []);
});
