// S220–S223: the token agent's kept answers (docs/cli.md "The token agent"). While an agent runs with its socket
// on a memory file system (here: a runtime folder in /dev/shm, as /run/user/UID is), it keeps each answer it gave
// as a private record, and the next identical `tokenloop token` prints it with `fs` alone. A record is printed
// only while it holds: the same build, arguments, folder and environment, the files it came from unchanged, the
// token not due for renewal. A record is never on a disk, and goes with the agent.
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type ScriptedProvider,
  startScriptedProvider,
} from '../../tokenloop/test/support/scripted-provider.js';
import { agentSocketPath } from '../src/config/paths.js';
import { askAgentRaw } from '../src/fast-path/agent-client.js';
import { onMemoryFileSystem } from '../src/commands/agent/answer-files.js';
import { BIN, baseEnv, runCli, tempDir } from './support/cli.js';
import { PINNED_CLOCK, type RunningAgent, startAgent } from './support/agent-run.js';
import { runNode, shown } from './support/node-run.js';
import { signInScripted } from './support/scripted-sign-in.js';

/** The agent alone did not answer (TOKENLOOP_TOKEN_PATH=agent). */
const DECLINED = 125;
/** Where a memory file system is on every Linux (and in containers): the runtime folder lives there. */
const SHM = '/dev/shm';

describe('S220–S223 the token agent keeps its answers for the next identical token', () => {
  let p: ScriptedProvider;
  let home: string;
  let runtime: string;
  let env: NodeJS.ProcessEnv;
  let now: number;
  let agent: RunningAgent;

  before(async () => {
    assert.ok(onMemoryFileSystem(SHM), `${SHM} must be a memory file system (tmpfs) for these tests`);
    p = await startScriptedProvider();
    home = tempDir('tl-answers-');
    runtime = mkdtempSync(join(SHM, 'tl-runtime-'));
    // The XDG layout (no TOKENLOOP_HOME), as a desktop session has it: the socket in the runtime folder.
    env = baseEnv(home, {
      TOKENLOOP_HOME: undefined,
      HOME: home,
      XDG_CONFIG_HOME: join(home, 'config'),
      XDG_CACHE_HOME: join(home, 'cache'),
      XDG_DATA_HOME: join(home, 'data'),
      XDG_RUNTIME_DIR: runtime,
    });
    now = Date.now() + 60_000;
    await signInScripted(p, env, 'alice');
    await signInScripted(p, env, 'alan');
    p.on('/token', () => ({ status: 400, body: { error: 'invalid_grant', error_description: 'no' } }));
    agent = await startAgent({ ...env, TL_TEST_NOW: String(now) });
  });
  after(async () => {
    await agent?.stop();
    await p?.close();
    if (runtime) rmSync(runtime, { recursive: true, force: true });
  });

  const answers = () => join(runtime, 'tokenloop', 'answers');
  const records = () =>
    existsSync(answers()) ? readdirSync(answers()).filter((n) => n.endsWith('.json')) : [];
  const token = (args: string[], path: string | undefined, extra: NodeJS.ProcessEnv = {}, at = now) =>
    runNode(
      ['--require', PINNED_CLOCK, BIN, 'token', ...args],
      `token ${args.join(' ')} (${path ?? 'normal'})`,
      {
        env: { ...env, TL_TEST_NOW: String(at), TOKENLOOP_TOKEN_PATH: path, ...extra },
      },
    );
  /** Answers while the agent is frozen (SIGSTOP): only a kept record can answer on the agent's path. */
  async function frozen<T>(run: () => Promise<T>): Promise<T> {
    agent.child.kill('SIGSTOP');
    try {
      return await run();
    } finally {
      agent.child.kill('SIGCONT');
    }
  }

  it('S220 S221 an answer is kept privately on the memory file system and answers the next identical call', async () => {
    const full = await token([], 'full');
    assert.equal(full.code, 0, shown(full));
    const first = await token([], 'agent');
    assert.ok(first.code === 0 && first.stdout === full.stdout, shown(first));
    assert.equal(records().length, 1, 'one record for one request');
    assert.equal(statSync(answers()).mode & 0o777, 0o700);
    assert.equal(statSync(join(answers(), records()[0]!)).mode & 0o777, 0o600);
    // The agent cannot answer now: the record does, byte for byte what the full command line prints.
    const kept = await frozen(() => token([], 'agent'));
    assert.ok(kept.code === 0 && kept.stdout === full.stdout && kept.stderr === '', shown(kept));
    for (const args of [['--account', 'ali'], ['-f', 'header'], ['--format=xoauth2']]) {
      const f = await token(args, 'full');
      assert.equal((await token(args, 'agent')).code, 0);
      const k = await frozen(() => token(args, 'agent'));
      assert.ok(f.code === 0 && k.code === 0 && k.stdout === f.stdout, `${args.join(' ')}: ${shown(k)}`);
    }
  });

  it('S221 json (it prints the seconds left) is never kept', async () => {
    const before = records().length;
    assert.equal((await token(['-f', 'json'], 'agent')).code, 0);
    assert.equal(records().length, before);
  });

  it('S221 an account switch, a logout and another environment are seen by the very next call', async () => {
    assert.equal((await runCli(['account', 'use', 'alice'], env)).code, 0);
    assert.equal((await token(['--account', 'alan'], 'agent')).code, 0);
    assert.equal((await token([], 'agent')).stdout, 'at-alice-signed-in\n');
    assert.equal((await runCli(['account', 'use', 'alan'], env)).code, 0);
    const switched = await token([], 'agent');
    assert.ok(switched.stdout === 'at-alan-signed-in\n', `the new default's token: ${shown(switched)}`);
    const other = await token([], 'agent', { TOKENLOOP_PROFILE: 'nope' });
    assert.equal(other.code, DECLINED, `another profile in the environment: ${shown(other)}`);
    assert.equal((await runCli(['logout', 'alan', '--no-browser'], env)).code, 0);
    const gone = await token(['--account', 'alan'], 'agent');
    assert.equal(gone.code, DECLINED, `a signed-out account: ${shown(gone)}`);
    assert.equal((await runCli(['account', 'use', 'alice'], env)).code, 0);
  });

  it('S221 a record is not used once its token is due for renewal', async () => {
    assert.equal((await token([], 'agent')).code, 0);
    assert.equal((await frozen(() => token([], 'agent'))).code, 0, 'kept');
    // An hour later the token is due: the record does not answer; the command answers by itself (the agent is
    // frozen): the fast path declines a stale token, and the renewal is refused by the provider.
    const late = await frozen(() => token([], undefined, {}, now + 3_600_000));
    assert.equal(late.code, 4, shown(late));
    assert.equal(late.stdout, '');
  });

  it('S222 a record others may read, or one in place of another, is not printed', async () => {
    assert.equal((await token(['--scope', 'read'], 'agent')).code, 0);
    const [name] = records()
      .map((n) => join(answers(), n))
      .filter((f) => JSON.parse(readFileSync(f, 'utf8')).args.join(' ') === '--scope read');
    assert.ok(name, 'the record of --scope read');
    const record = JSON.parse(readFileSync(name, 'utf8'));
    writeFileSync(name, JSON.stringify({ ...record, stdout: 'planted\n' }), { mode: 0o600 });
    chmodSync(name, 0o644);
    const open = await frozen(() => token(['--scope', 'read'], undefined));
    assert.ok(
      open.code === 0 && open.stdout === 'at-alice-signed-in\n',
      `answered without it: ${shown(open)}`,
    );
    // A record of other arguments under this request's name is not this request's.
    chmodSync(name, 0o600);
    writeFileSync(name, JSON.stringify({ ...record, args: ['--scope', 'read', '-f', 'header'] }), {
      mode: 0o600,
    });
    const moved = await frozen(() => token(['--scope', 'read'], undefined));
    assert.ok(moved.code === 0 && moved.stdout === 'at-alice-signed-in\n', shown(moved));
  });

  it('S221 a folder of its files opened to others makes the command refuse, as without a record', async () => {
    assert.equal((await token([], 'agent')).code, 0);
    assert.equal((await frozen(() => token([], 'agent'))).code, 0, 'kept');
    const folder = join(home, 'cache', 'tokenloop');
    chmodSync(folder, 0o777);
    try {
      const open = await frozen(() => token([], undefined));
      assert.equal(open.code, 2, `the private-folder rule refuses: ${shown(open)}`);
      assert.equal(open.stdout, '');
      assert.match(open.stderr, /other users may write to it/);
    } finally {
      chmodSync(folder, 0o700);
    }
  });

  it('S223 at most 64 records are kept', async () => {
    const socket = agentSocketPath(env);
    const build = JSON.parse(readFileSync(join(answers(), records()[0]!), 'utf8')).build as string;
    for (let i = 0; i < 70; i++) {
      const cwd = join(home, 'folders', String(i));
      mkdirSync(cwd, { recursive: true });
      const plain = Object.fromEntries(
        Object.entries({ ...env, TL_TEST_NOW: String(now) }).filter(([, v]) => v !== undefined),
      ) as Record<string, string>;
      const a = await askAgentRaw(socket, { build, op: 'token', args: [], env: plain, cwd }, 10_000);
      assert.ok(a && 'stdout' in a, JSON.stringify(a && 'declined' in a ? a : 'answered'));
    }
    // The last record is written after the answer: wait for the agent's queue with one more request.
    await askAgentRaw(socket, { build, op: 'ping' }, 10_000);
    assert.ok(records().length <= 64, `${records().length} records`);
    assert.ok(records().length >= 60, `${records().length} records: the recent ones are kept`);
  });

  it('S220 S223 the records go with the agent, and none is written on a disk', async () => {
    assert.ok(records().length > 0);
    await agent.stop();
    assert.equal(existsSync(answers()), false, 'the records went with the agent');
    // TOKENLOOP_HOME puts the socket in the cache folder, on a disk here: answers go over the socket only.
    const disk = tempDir('tl-answers-disk-');
    const diskEnv = { ...env, TOKENLOOP_HOME: disk };
    assert.equal(onMemoryFileSystem(disk), false, 'the temp folder is on a disk');
    agent = await startAgent({ ...diskEnv, TL_TEST_NOW: String(now) });
    await runNode([BIN, 'token'], 'token on disk', { env: { ...diskEnv, TOKENLOOP_TOKEN_PATH: 'agent' } });
    assert.equal(existsSync(join(disk, 'cache', 'agent', 'answers')), false);
  });
});
