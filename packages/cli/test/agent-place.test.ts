// `agent status` and `agent stop` look for the agent at the one place the library's rule gives (tokenloop/cli-state
// `cliAgentSocket`). When they find none, they say where they looked and what chose that place, so that an agent
// started with another XDG_RUNTIME_DIR or TOKENLOOP_HOME (another login session, `sudo`, a script) is not a
// mystery "not running".
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { baseEnv, runCli, tempDir } from './support/cli.js';

/** A user's environment without TOKENLOOP_HOME: HOME and the XDG folders in a temporary folder. */
function userEnv(root: string, runtime?: string): NodeJS.ProcessEnv {
  return baseEnv(root, {
    TOKENLOOP_HOME: undefined,
    HOME: root,
    XDG_CONFIG_HOME: join(root, 'config'),
    XDG_CACHE_HOME: join(root, 'cache'),
    XDG_DATA_HOME: join(root, 'data'),
    XDG_STATE_HOME: join(root, 'state'),
    XDG_RUNTIME_DIR: runtime,
  });
}

describe('agent status and stop say where they looked', () => {
  const root = tempDir('tl-agent-place-');
  const runtime = join(root, 'run');
  mkdirSync(runtime, { mode: 0o700 });
  const started = userEnv(root, runtime);
  after(async () => {
    await runCli(['agent', 'stop'], started);
  });

  it('an agent started with XDG_RUNTIME_DIR: status without it names the place it looked and why', async () => {
    const start = await runCli(['agent', 'start'], started);
    assert.equal(start.code, 0, start.stderr);
    assert.ok(start.stdout.includes(join(runtime, 'tokenloop', 'agent.sock')), start.stdout);

    const withoutRuntime = userEnv(root);
    const status = await runCli(['agent', 'status'], withoutRuntime);
    assert.equal(status.code, 1, status.stderr);
    const looked = join(root, 'cache', 'tokenloop', 'agent', 'agent.sock');
    assert.ok(status.stdout.includes(`not running at ${looked}`), status.stdout);
    assert.match(status.stdout, /XDG_RUNTIME_DIR is not set/);
    assert.match(
      status.stdout,
      /an agent started with another XDG_RUNTIME_DIR or TOKENLOOP_HOME is not seen here/,
    );
    const json = JSON.parse((await runCli(['agent', 'status', '--json'], withoutRuntime)).stdout) as {
      socket: string;
      placedBy: string;
    };
    assert.deepEqual([json.socket, json.placedBy], [looked, 'the cache folder']);

    const stop = await runCli(['agent', 'stop'], withoutRuntime);
    assert.equal(stop.code, 0, stop.stderr);
    assert.ok(stop.stdout.includes(`not running at ${looked}`), stop.stdout);
    assert.match(stop.stdout, /not seen here/);

    // With TOKENLOOP_HOME set, that is what chose the place (it comes before XDG_RUNTIME_DIR).
    const home = tempDir('tl-agent-place-home-');
    const viaHome = await runCli(['agent', 'status'], { ...started, TOKENLOOP_HOME: home });
    assert.equal(viaHome.code, 1);
    assert.ok(
      viaHome.stdout.includes(`not running at ${join(home, 'cache', 'agent', 'agent.sock')}`),
      viaHome.stdout,
    );
    assert.match(viaHome.stdout, /TOKENLOOP_HOME is set/);

    // The environment it was started with still finds it.
    const found = await runCli(['agent', 'status'], started);
    assert.equal(found.code, 0, found.stdout);
    assert.match(found.stdout, /^agent running \(pid \d+\)/);
  });
});
