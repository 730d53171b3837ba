// Shell completion scripts, loaded into a real bash and asked what they complete.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { BIN, baseEnv, freshHome, runCli } from './support/cli.js';

/** What `_tokenloop` offers for the words typed so far (the last one is being completed). */
function bashComplete(words: string[]): string[] {
  const script = `eval "$(${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} completion bash)"
COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')}); COMP_CWORD=${words.length - 1}
_tokenloop; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync('bash', ['-c', script], { env: baseEnv(freshHome()), encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
}

describe('shell completion', () => {
  it('bash: commands, sub-commands and token formats', () => {
    assert.deepEqual(bashComplete(['tokenloop', 'ma']), ['mail']);
    assert.deepEqual(bashComplete(['tokenloop', 'mail', '']), ['test', 'proxy', 'password']);
    assert.deepEqual(bashComplete(['tokenloop', 'profile', 'u']), ['use']);
    assert.deepEqual(bashComplete(['tokenloop', 'token', '--format', 'x']), ['xoauth2']);
  });

  it('zsh and fish scripts name every command; an unknown shell is a usage error', async () => {
    for (const shell of ['zsh', 'fish']) {
      const r = await runCli(['completion', shell], baseEnv(freshHome()));
      assert.equal(r.code, 0);
      for (const command of ['login', 'token', 'mail', 'emulator'])
        assert.match(r.stdout, new RegExp(command));
    }
    const bad = await runCli(['completion', 'tcsh'], baseEnv(freshHome()));
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /use bash, zsh or fish/);
  });
});
