// A closed pipe ends quietly: `tokenloop --help | true` writes nothing on stderr, no EPIPE stack trace.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BIN, freshHome } from './support/cli.js';

describe('a closed pipe', () => {
  it('a closed pipe ends quietly: tokenloop --help | true', () => {
    for (const args of ['--help', 'completion bash', 'emulator --help']) {
      const r = spawnSync('sh', ['-c', `"$NODE" "$BIN" ${args} 2>"$ERR_FILE" | true; cat "$ERR_FILE"`], {
        env: { ...process.env, NODE: process.execPath, BIN, ERR_FILE: join(freshHome(), 'stderr') },
        encoding: 'utf8',
      });
      assert.equal(r.stdout, '', `${args}: nothing on stderr, no EPIPE stack trace`);
    }
  });
});
