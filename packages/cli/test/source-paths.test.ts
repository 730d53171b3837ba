// S189: a source file that names another by its path (`fast-path/agent-protocol.ts`, `cache/parse-record.ts`)
// names one that exists, so a comment sends its reader to the right place after a file moves.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';

const PACKAGES = join(import.meta.dirname, '..', '..');

it('S189 sweep: every path a CLI or library source names (dir/file.ts) exists in that package', () => {
  const found: string[] = [];
  let named = 0;
  for (const pkg of ['cli', 'tokenloop']) {
    const root = join(PACKAGES, pkg);
    for (const file of readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts')) continue;
      for (const [path] of readFileSync(join(root, 'src', file), 'utf8').matchAll(
        /[\w.-]+(?:\/[\w.-]+)+\.ts\b/g,
      )) {
        named++;
        // Relative to the package's src (cache/model.ts), else to the package or the repository (test/…).
        if (
          ![join(root, 'src', path), join(root, path), join(PACKAGES, '..', path)].some((p) => existsSync(p))
        )
          found.push(`${pkg}/src/${file}: ${path}`);
      }
    }
  }
  assert.deepEqual(found, []);
  assert.ok(named >= 5, 'the sources were read');
});
