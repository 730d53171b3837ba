// S165: the emulator's sample ids live in one place (@tokenloop/emulator's SAMPLE_IDS, also published as the
// light subpath @tokenloop/emulator/sample-ids). A copy in the CLI's sources could drift from the emulator
// that `profile add --emulator` points at; this sweep finds any such copy.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SAMPLE_IDS } from '@tokenloop/emulator';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

it('S165 the CLI sources name no emulator sample id literally (they import SAMPLE_IDS)', () => {
  const ids = Object.values(SAMPLE_IDS).map((id) => id.toLowerCase());
  const copies: string[] = [];
  for (const file of readdirSync(SRC, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts')) continue;
    const text = readFileSync(join(SRC, file), 'utf8').toLowerCase();
    for (const id of ids) if (text.includes(id)) copies.push(`${file}: ${id}`);
  }
  assert.deepEqual(copies, []);
});
