// S170–S179: the token agent (`tokenloop agent`, docs/cli.md). It answers `tokenloop token` with exactly what
// the full command line prints (or declines, and the caller answers by itself), sees logout and account
// switches at once, is private to the user (folder 0700, socket 0600, other users cannot connect), bounds and
// checks what it reads, declines another build, and a stale socket costs nothing but a fall-through.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type ScriptedProvider,
  startScriptedProvider,
} from '../../tokenloop/test/support/scripted-provider.js';
import { agentSocketPath } from '../src/config/paths.js';
import { askAgentRaw } from '../src/fast-path/agent-client.js';
import { MAX_REQUEST_BYTES } from '../src/agent-wire/agent-protocol.js';
import { BIN, baseEnv, runCli, tempDir } from './support/cli.js';
import { type Run, RUN_LIMIT_MS, runNode, shown } from './support/node-run.js';
import { PINNED_CLOCK, type RunningAgent, startAgent } from './support/agent-run.js';
import { signInScripted } from './support/scripted-sign-in.js';

const TOKEN_BUNDLE = join(import.meta.dirname, '..', 'dist', 'fast', 'token.cjs');
/** "Another user" (nobody on Debian); running a child as it needs root. */
const OTHER_UID = 65534;
const AS_ROOT = process.getuid?.() === 0;
/** The agent alone, when it does not answer (TOKENLOOP_TOKEN_PATH=agent). */
const DECLINED = 125;

/** Send raw bytes to the agent's socket; what it answers until it closes the connection (bounded). */
function rawExchange(socket: string, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const conn = connect(socket);
    let got = '';
    const timer = setTimeout(() => {
      conn.destroy();
      reject(new Error('the agent neither answered nor closed the connection within 10 s'));
    }, 10_000);
    conn.on('error', () => {}); // the agent may close while the rest is still being written
    conn.on('connect', () => conn.write(bytes));
    conn.on('data', (d) => (got += d.toString()));
    conn.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
  });
}

describe('S170–S179 token agent', () => {
  let p: ScriptedProvider;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let now: number;
  let agent: RunningAgent;
  const tokens: string[] = [];

  before(async () => {
    p = await startScriptedProvider();
    home = tempDir('tl-agent-');
    env = baseEnv(home);
    const signIn = async (user: string) => {
      await signInScripted(p, baseEnv(home), user);
      tokens.push(`at-${user}-signed-in`);
    };
    now = Date.now() + 60_000;
    await signIn('alice');
    await signIn('alan');
    p.on('/token', () => ({ status: 400, body: { error: 'invalid_grant', error_description: 'no' } }));
    agent = await startAgent({ ...env, TL_TEST_NOW: String(now) });
  });
  after(async () => {
    await agent?.stop();
    await p?.close();
  });

  const token = (args: string[], path: string | undefined, extra: NodeJS.ProcessEnv = {}, cwd?: string) =>
    runNode(
      ['--require', PINNED_CLOCK, BIN, 'token', ...args],
      `token ${args.join(' ')} (${path ?? 'normal'})`,
      {
        env: { ...env, TL_TEST_NOW: String(now), TOKENLOOP_TOKEN_PATH: path, ...extra },
        cwd,
      },
    );

  /** The agent alone and the full command line (at once): the same bytes, or a decline. */
  async function parity(
    args: string[],
    extra: NodeJS.ProcessEnv = {},
    cwd?: string,
  ): Promise<'answered' | 'declined'> {
    const [viaAgent, full] = await Promise.all([
      token(args, 'agent', extra, cwd),
      token(args, 'full', extra, cwd),
    ]);
    const label = `token ${JSON.stringify(args)} ${JSON.stringify(extra)}`;
    if (viaAgent.code === DECLINED) {
      assert.equal(viaAgent.stdout, '', `${label}: a decline prints nothing on stdout`);
      assert.match(viaAgent.stderr, /^tokenloop: the agent does not answer this \(.+\)\n$/);
      return 'declined';
    }
    assert.equal(full.code, 0, `${label}: the agent answered what the full CLI did not: ${shown(full)}`);
    assert.equal(viaAgent.code, 0, `${label}: ${shown(viaAgent)}`);
    assert.ok(viaAgent.stdout === full.stdout, `${label}: agent ${shown(viaAgent)} / full ${shown(full)}`);
    assert.equal(viaAgent.stderr, '');
    return 'answered';
  }

  it('S174 S177 S191 token: the agent prints byte for byte what the full CLI prints, or declines', async () => {
    writeFileSync(join(home, 'not-a-ca.pem'), 'not a certificate', { mode: 0o600 });
    const cases: [string[], NodeJS.ProcessEnv, 'answered' | 'declined', string?][] = [
      [[], {}, 'answered'],
      [['--format', 'json'], {}, 'answered'],
      [['-f', 'header'], {}, 'answered'],
      [['--format=xoauth2'], {}, 'answered'],
      [['--account', 'ali'], {}, 'answered'],
      [['--account', 'ala', '-f', 'json'], {}, 'answered'],
      [['--account', 'al'], {}, 'declined'], // ambiguous: the command line says so
      [['--scope', 'read'], {}, 'answered'],
      [['-p', 'default'], {}, 'answered'],
      [['-p', 'nope'], {}, 'declined'],
      [[], { TOKENLOOP_PROFILE: 'nope' }, 'declined'], // S177: the caller's environment, not the agent's
      [['--bogus'], {}, 'declined'],
      // S191: names an object has by inheritance are no options (the full command line: too many arguments).
      [['constructor', 'x'], {}, 'declined'],
      [['__proto__', 'x'], {}, 'declined'],
      [['toString', 'x'], {}, 'declined'],
      [['hasOwnProperty', 'x'], {}, 'declined'],
      [['--format', 'yaml'], {}, 'declined'],
      [[], { TOKENLOOP_DEBUG: 'cache' }, 'declined'],
      // S179: a relative path is the caller's: the same file, found from the caller's folder only.
      [['--ca-file', 'not-a-ca.pem'], {}, 'declined', home],
      [[], { TOKENLOOP_HOME: basename(home) }, 'answered', dirname(home)],
    ];
    for (const [args, extra, expected, cwd] of cases)
      assert.equal(
        await parity(args, extra, cwd),
        expected,
        `token ${JSON.stringify(args)} ${JSON.stringify(extra)}`,
      );
    // No fresh token: the command line renews (here: refused), the agent never does (S126). Last: the full
    // command line's run changes the cache.
    const write = await token(['--scope', 'write'], 'agent');
    assert.equal(write.code, DECLINED, shown(write));
    assert.equal((await token(['--scope', 'write'], 'full')).code, 4);
    // S177: another caller's home is another cache: nobody is signed in there.
    const empty = tempDir('tl-agent-empty-');
    assert.equal(await parity([], { TOKENLOOP_HOME: empty }), 'declined');
  });

  it('S179 logout and an account switch are seen by the very next request', async () => {
    assert.equal((await runCli(['account', 'use', 'alan'], env)).code, 0);
    const switched = await token([], 'agent');
    assert.equal(switched.code, 0, shown(switched));
    assert.ok(
      switched.stdout === 'at-alan-signed-in\n',
      `the new default account's token: ${shown(switched)}`,
    );
    assert.equal((await runCli(['logout', 'alan', '--no-browser'], env)).code, 0);
    assert.equal((await token(['--account', 'alan'], 'agent')).code, DECLINED, 'a signed-out account');
    const alice = await token([], 'agent');
    assert.ok(alice.stdout === 'at-alice-signed-in\n' || alice.code === DECLINED, shown(alice));
    assert.equal(await parity([]), alice.code === 0 ? 'answered' : 'declined');
  });

  it('S174 S173 another build, malformed, oversized and slow requests are declined, and the agent carries on', async () => {
    const socket = agentSocketPath(env);
    const other = await askAgentRaw(
      socket,
      { build: '0.0.0+other', op: 'token', args: [], env: env as Record<string, string>, cwd: home },
      10_000,
    );
    assert.ok(other && 'declined' in other && /another build/.test(other.declined), JSON.stringify(other));
    assert.match(await rawExchange(socket, 'not json\n'), /"declined":"not a request the agent reads"/);
    assert.match(await rawExchange(socket, '{"build":1,"op":"token"}\n'), /"declined"/);
    assert.match(
      await rawExchange(socket, 'x'.repeat(MAX_REQUEST_BYTES + 10)),
      /"declined":"the request is too large"/,
    );
    // A connection that never sends its line is closed by the agent (REQUEST_TIME_MS), bounded here.
    assert.equal(await rawExchange(socket, '{"build"'), '');
    const still = await token([], 'agent');
    assert.equal(still.code, 0, `the agent still answers: ${shown(still)}`);
  });

  it('S193 S194 the request time is a deadline, its size is in bytes, and many arguments are declined', async () => {
    const socket = agentSocketPath(env);
    // A byte every 200 ms never lets the connection idle: still closed by the deadline.
    const started = Date.now();
    const trickled = await new Promise<string>((resolve, reject) => {
      const conn = connect(socket);
      let got = '';
      const drip = setInterval(() => conn.write('{'), 200);
      const timer = setTimeout(() => {
        clearInterval(drip);
        conn.destroy();
        reject(new Error('the agent kept a trickling connection open for 10 s'));
      }, 10_000);
      conn.on('error', () => {});
      conn.on('data', (d) => (got += d.toString()));
      conn.on('close', () => {
        clearInterval(drip);
        clearTimeout(timer);
        resolve(got);
      });
    });
    assert.equal(trickled, '');
    assert.ok(Date.now() - started < 5_000, `closed after ${Date.now() - started} ms`);
    // Two bytes a character: more bytes than allowed in fewer characters.
    assert.match(
      await rawExchange(socket, 'é'.repeat(MAX_REQUEST_BYTES / 2 + 10)),
      /"declined":"the request is too large"/,
    );
    const many = await askAgentRaw(
      socket,
      {
        build: '',
        op: 'token',
        args: Array(20_000).fill(['-s', 'a']).flat() as string[],
        env: {},
        cwd: home,
      },
      10_000,
    );
    assert.ok(many && 'declined' in many && /more arguments/.test(many.declined), JSON.stringify(many));
  });

  it('S170 S171 S172 the socket folder is 0700, the socket 0600, and another user cannot connect', async (t) => {
    const socket = agentSocketPath(env);
    assert.equal(statSync(dirname(socket)).mode & 0o777, 0o700);
    assert.equal(statSync(socket).mode & 0o777, 0o600);
    if (!AS_ROOT) return t.skip('running a client as another user needs root');
    // Only the agent's own folder and socket keep the other user out: the folders above it let them through.
    chmodSync(home, 0o711);
    chmodSync(join(home, 'cache'), 0o711);
    try {
      // The child starts as root, so that it can load this Node wherever it lies (a 0700 clone, a Node line installed
      // inside the checkout), then becomes the other user before it connects.
      const script = `process.setgroups([]); process.setgid(${OTHER_UID}); process.setuid(${OTHER_UID}); require('node:net').connect(${JSON.stringify(socket)}).on('connect', () => { console.log('connected'); process.exit(0); }).on('error', (e) => { console.log(e.code); process.exit(0); });`;
      const r = await new Promise<Run>((resolve) => {
        const child = spawn(process.execPath, ['-e', script], { cwd: '/' });
        let stdout = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), RUN_LIMIT_MS);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr: '' });
        });
      });
      assert.equal(r.stdout.trim(), 'EACCES', 'another user is refused');
    } finally {
      chmodSync(home, 0o700);
      chmodSync(join(home, 'cache'), 0o700);
    }
  });

  it('S170 S178 the agent refuses a folder others may use (with a fix that works) and too long a socket path', async () => {
    const other = tempDir('tl-agent-unsafe-');
    const otherEnv = baseEnv(other);
    const folder = dirname(agentSocketPath(otherEnv));
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    chmodSync(folder, 0o755);
    const refused = await runCli(['agent'], otherEnv);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /refusing to start the agent in .*: other users may use the folder /);
    const fix = /\n {2}fix: (.+)\n/.exec(refused.stderr)?.[1];
    assert.ok(fix, refused.stderr);
    const sh = await new Promise<number | null>((resolve) =>
      spawn('sh', ['-c', fix], { stdio: 'ignore' }).on('close', resolve),
    );
    assert.equal(sh, 0);
    assert.equal(statSync(folder).mode & 0o777, 0o700, 'the fix made the folder private');
    const long = baseEnv(join(other, 'x'.repeat(100)));
    const tooLong = await runCli(['agent'], long);
    assert.equal(tooLong.code, 2, tooLong.stderr);
    assert.match(
      tooLong.stderr,
      /longer than the 107 bytes a Unix socket may have\n {2}fix: give TOKENLOOP_HOME a shorter folder/,
    );
  });

  it('S175 start, status, stop; a stale socket falls through to the normal path', async () => {
    const own = tempDir('tl-agent-life-');
    const ownEnv = { ...env, TOKENLOOP_HOME: own };
    for (const name of ['config.json', 'cache']) {
      // the signed-in state of the shared home, without the running agent's folder
      const from = join(home, name);
      if (statSync(from).isDirectory()) {
        mkdirSync(join(own, name), { mode: 0o700 });
        for (const f of ['tokens.cache', 'tokens.cache.key'])
          writeFileSync(join(own, name, f), readFileSync(join(from, f)), { mode: 0o600 });
      } else writeFileSync(join(own, name), readFileSync(from), { mode: 0o600 });
    }
    const status0 = await runCli(['agent', 'status'], ownEnv);
    assert.equal(status0.code, 1);
    assert.match(
      status0.stdout,
      /^agent not running at \S+ \(looked in TOKENLOOP_HOME's cache folder, as TOKENLOOP_HOME is set .*\); start: tokenloop agent start\n$/,
    );
    const started = await runCli(['agent', 'start'], ownEnv);
    assert.equal(started.code, 0, started.stderr);
    const pid = Number(/started \(pid (\d+)\)/.exec(started.stdout)?.[1]);
    try {
      assert.match((await runCli(['agent', 'start'], ownEnv)).stdout, /already running \(pid \d+\)/);
      const status = await runCli(['agent', 'status', '--json'], ownEnv);
      assert.equal(status.code, 0);
      assert.deepEqual(JSON.parse(status.stdout), {
        socket: agentSocketPath(ownEnv),
        placedBy: 'TOKENLOOP_HOME',
        running: true,
        pid,
        otherBuild: false,
      });
      // A dead agent leaves its socket: the normal path answers by itself, as the full command line.
      process.kill(pid, 'SIGKILL');
      const deadline = Date.now() + 10_000;
      while ((await askAgentRaw(agentSocketPath(ownEnv), { build: '', op: 'ping' }, 1_000)) !== undefined)
        assert.ok(Date.now() < deadline, 'the killed agent still answers');
      assert.ok(existsSync(agentSocketPath(ownEnv)), 'the stale socket is left');
      const normal = await runNode([BIN, 'token'], 'token (stale socket)', { env: ownEnv });
      const full = await runNode([BIN, 'token'], 'token full', {
        env: { ...ownEnv, TOKENLOOP_TOKEN_PATH: 'full' },
      });
      assert.equal(full.code, 0, shown(full));
      assert.ok(normal.code === 0 && normal.stdout === full.stdout && normal.stderr === '', shown(normal));
      assert.match(
        (await runCli(['agent', 'status'], ownEnv)).stdout,
        /not running at \S+ \(a stale socket there\)/,
      );
      // A new agent takes the stale socket's place; stop ends it and removes the socket.
      const again = await runCli(['agent', 'start'], ownEnv);
      assert.equal(again.code, 0, again.stderr);
      const stopped = await runCli(['agent', 'stop'], ownEnv);
      assert.match(stopped.stdout, /^agent stopped \(pid \d+\)\n$/);
      assert.equal(existsSync(agentSocketPath(ownEnv)), false);
      assert.match((await runCli(['agent', 'stop'], ownEnv)).stdout, /not running/);
    } finally {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await runCli(['agent', 'stop'], ownEnv);
    }
  });

  it('S177 the fast path reads the environment only through its parameter (all it answers from)', async () => {
    // Every `process.env` in the bundle the agent's requests run: as a default parameter (given by every caller
    // on the fast path) or the library's debug switch (the agent turns it off; a request with it is declined).
    const bundle = readFileSync(TOKEN_BUNDLE, 'utf8');
    const reads = [...bundle.matchAll(/.{0,24}process\.env.{0,24}/g)].map((m) => m[0]);
    const allowed = /=process\.env\)|=process\.env,|let \w+=process\.env\.TOKENLOOP_DEBUG/;
    assert.deepEqual(
      reads.filter((r) => !allowed.test(r)),
      [],
      'process.env read on the fast path',
    );
    // And when run: the fast path, given an environment, never reads this process's.
    const { tokenFastPath } = await import('../src/fast-path/token-fast-path.js');
    const real = process.env;
    const read = new Set<string>();
    process.env = new Proxy(real, {
      get: (target, key) => {
        if (typeof key === 'string') read.add(key);
        return Reflect.get(target, key);
      },
    });
    let answer;
    try {
      answer = await tokenFastPath(['--account', 'alice'], { ...env, TL_TEST_NOW: String(now) });
    } finally {
      process.env = real;
    }
    assert.ok('stdout' in answer || 'declined' in answer);
    assert.deepEqual(
      [...read].filter((k) => k !== 'TOKENLOOP_DEBUG' && k !== 'HOME'),
      [],
      'read from process.env',
    );
  });

  it('S176 the agent writes nothing about requests: no token in its output', () => {
    assert.match(agent.output(), /^agent listening on .+ \(pid \d+\)\n$/);
    for (const t of tokens) assert.ok(!agent.output().includes(t));
  });
});
