// TOKENLOOP_TOKEN_PATH=agent|fast: when the path does not answer because the cached token is due for renewal,
// its reason says so in the user's words (no store internals), and what to do: run the command without
// TOKENLOOP_TOKEN_PATH, which renews it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type ScriptedProvider,
  startScriptedProvider,
} from '../../tokenloop/test/support/scripted-provider.js';
import { BIN, baseEnv, tempDir } from './support/cli.js';
import { runNode, shown } from './support/node-run.js';
import { PINNED_CLOCK, type RunningAgent, startAgent } from './support/agent-run.js';
import { signInScripted } from './support/scripted-sign-in.js';

/** The path alone did not answer (TOKENLOOP_TOKEN_PATH=agent|fast). */
const DECLINED = 125;

describe('a token path that declines a token due for renewal says why in user words', () => {
  let p: ScriptedProvider;
  let env: NodeJS.ProcessEnv;
  let agent: RunningAgent;
  /** Two hours after the sign-in: the cached token (an hour) is due. */
  const late = String(Date.now() + 7_200_000);

  before(async () => {
    p = await startScriptedProvider();
    env = baseEnv(tempDir('tl-decline-'));
    await signInScripted(p, env, 'alice');
    agent = await startAgent({ ...env, TL_TEST_NOW: late });
  });
  after(async () => {
    await agent?.stop();
    await p?.close();
  });

  for (const path of ['agent', 'fast'])
    it(`TOKENLOOP_TOKEN_PATH=${path}: the token is due for renewal, and the command without it renews it`, async () => {
      const r = await runNode(['--require', PINNED_CLOCK, BIN, 'token'], `token (${path})`, {
        env: { ...env, TL_TEST_NOW: late, TOKENLOOP_TOKEN_PATH: path },
      });
      assert.equal(r.code, DECLINED, shown(r));
      assert.equal(r.stdout, '');
      assert.doesNotMatch(r.stderr, /snapshot|read-only|file store|encrypted/, r.stderr);
      assert.match(r.stderr, /token .*(expired|due for renewal)/, r.stderr);
      assert.match(r.stderr, /without TOKENLOOP_TOKEN_PATH/, r.stderr);
    });
});
