// S190–S193: `tokenloop token` asks the agent at its socket path only when that socket is the user's own, in a folder
// private to the user (the rule the agent applies to itself): a socket another user planted, or one in a folder
// others may use, is never connected to (nothing is sent), and `token` answers by itself.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, connect, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { agentSocketPath } from '../src/config/paths.js';
import { serveAgent } from '../src/commands/agent/agent-server.js';
import { askAgentRaw } from '../src/fast-path/agent-client.js';
import { BIN, baseEnv, runCli, tempDir } from './support/cli.js';

const RUN_LIMIT_MS = 60_000;
/** "Another user" (nobody on Debian); giving a file to it needs root. */
const OTHER_UID = 65534;
const AS_ROOT = process.getuid?.() === 0;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `tokenloop token`, read until its streams close, bounded. */
function token(env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'token'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      stderr += `\n[tokenloop token: still running after ${RUN_LIMIT_MS / 1000} s: killed]\n`;
      child.kill('SIGKILL');
    }, RUN_LIMIT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A server at `socket` that answers every request with a token of its own, counting connections. */
async function plant(socket: string): Promise<{ server: Server; connections: () => number }> {
  let count = 0;
  const server = createServer((conn) => {
    count++;
    conn.on('error', () => {});
    conn.end(`${JSON.stringify({ stdout: 'planted-token\n' })}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => resolve());
  });
  return { server, connections: () => count };
}

/** `token` with a planted socket: no connection, and the same answer as the full command line. */
async function assertIgnored(env: NodeJS.ProcessEnv, prepare: (socket: string) => void): Promise<void> {
  const socket = agentSocketPath(env);
  mkdirSync(dirname(socket), { recursive: true, mode: 0o700 });
  const planted = await plant(socket);
  try {
    prepare(socket);
    const [normal, full] = await Promise.all([token(env), token({ ...env, TOKENLOOP_TOKEN_PATH: 'full' })]);
    assert.equal(planted.connections(), 0, 'the client connected to a socket it must not trust');
    assert.ok(!normal.stdout.includes('planted-token'), 'the planted answer was printed');
    assert.deepEqual(normal, full, 'token answers as the full command line does');
    const status = await runCli(['agent', 'status'], env);
    assert.equal(status.code, 1);
    // S190: what makes it askable again, when a command can (a folder others may use); never a second agent.
    assert.match(status.stdout, /^agent not asked: [^;]+(; fix: chmod 700 \S+)?\n$/);
    assert.equal(planted.connections(), 0, 'agent status connected to a socket it must not trust');
  } finally {
    planted.server.close();
  }
}

describe('S190 the agent client trusts only the user’s own socket in a private folder', () => {
  it('S190 a socket another user owns is never connected to; token answers by itself', async (t) => {
    if (!AS_ROOT) return t.skip('giving a socket to another user needs root');
    await assertIgnored(baseEnv(tempDir('tl-agent-planted-')), (socket) =>
      chownSync(socket, OTHER_UID, OTHER_UID),
    );
  });

  it('S190 a socket in a folder others may write to is never connected to; token answers by itself', async () => {
    await assertIgnored(baseEnv(tempDir('tl-agent-shared-')), (socket) => chmodSync(dirname(socket), 0o1777));
  });

  it('S190 a socket in a folder others may enter is never connected to', async () => {
    await assertIgnored(baseEnv(tempDir('tl-agent-open-')), (socket) => chmodSync(dirname(socket), 0o711));
  });
});

describe('S192 an agent removes only its own socket, and never a live one', () => {
  it("S192 an old agent's close leaves a newer agent's socket, and a request's folder does not move the socket", async () => {
    const base = tempDir('tl-agent-own-');
    const elsewhere = tempDir('tl-agent-elsewhere-');
    const env = baseEnv('h', { HOME: process.env.HOME });
    const start = process.cwd();
    process.chdir(base);
    try {
      const old = await serveAgent(env, 'test-build');
      // A request answered in another folder, where a file has the socket's relative path.
      const decoy = join(elsewhere, agentSocketPath(env));
      mkdirSync(dirname(decoy), { recursive: true, mode: 0o700 });
      writeFileSync(decoy, "not the agent's", { mode: 0o600 });
      const answer = await askAgentRaw(
        old.socket,
        { build: 'test-build', op: 'token', args: [], env: env as Record<string, string>, cwd: elsewhere },
        10_000,
      );
      assert.ok(answer && 'declined' in answer, JSON.stringify(answer));
      assert.equal(process.cwd(), base, 'the agent went back to its own folder');
      // A newer agent takes the path (the old one's socket was removed under it).
      const socket = join(base, agentSocketPath(env));
      rmSync(socket);
      const newer = await serveAgent(env, 'test-build');
      await old.close();
      assert.ok(existsSync(socket), "the old agent removed the newer agent's socket");
      process.chdir(elsewhere);
      await newer.close();
      assert.equal(existsSync(socket), false, 'the agent removes its own socket');
      assert.ok(existsSync(decoy), 'the agent removed a file in another folder');
    } finally {
      process.chdir(start);
    }
  });

  it("S192 agent start leaves a busy agent's socket alone", async () => {
    const env = baseEnv(tempDir('tl-agent-busy-'));
    const socket = agentSocketPath(env);
    mkdirSync(dirname(socket), { recursive: true, mode: 0o700 });
    const busy = createServer((conn) => conn.on('error', () => {})); // accepts, never answers
    await new Promise<void>((resolve) => busy.listen(socket, () => resolve()));
    try {
      const r = await runCli(['agent', 'start'], env);
      assert.notEqual(r.code, 0, r.stdout);
      assert.match(r.stderr, /busy/);
      assert.ok(existsSync(socket), "the busy agent's socket was removed");
    } finally {
      busy.close();
    }
  });
});

describe('S195 the agent opens no inspector on SIGUSR1', () => {
  it('S195 SIGUSR1 to the agent opens no inspector port, and the agent still answers', async () => {
    const env = baseEnv(tempDir('tl-agent-usr1-'));
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const child = spawn(process.execPath, [`--inspect-port=127.0.0.1:${port}`, BIN, 'agent'], { env });
    let output = '';
    const closed = new Promise((r) => child.on('close', r));
    const kill = setTimeout(() => child.kill('SIGKILL'), RUN_LIMIT_MS);
    try {
      await new Promise<void>((resolve, reject) => {
        const seen = (d: Buffer) => {
          output += d.toString();
          if (/listening on /.test(output)) resolve();
        };
        child.stdout.on('data', seen);
        child.stderr.on('data', seen);
        void closed.then(() => reject(new Error(`the agent ended before it listened: ${output}`)));
      });
      child.kill('SIGUSR1');
      const ping = await askAgentRaw(agentSocketPath(env), { build: '', op: 'ping' }, 10_000);
      assert.ok(ping && 'pid' in ping, 'the agent answers after SIGUSR1');
      const refused = await new Promise<string>((resolve) => {
        const conn = connect(port, '127.0.0.1');
        const timer = setTimeout(() => (conn.destroy(), resolve('timeout')), 5_000);
        conn.on('connect', () => (clearTimeout(timer), conn.destroy(), resolve('connected')));
        conn.on('error', (e: NodeJS.ErrnoException) => (clearTimeout(timer), resolve(e.code ?? 'error')));
      });
      assert.equal(refused, 'ECONNREFUSED', 'something listens on the inspector port');
      assert.doesNotMatch(output, /Debugger listening/);
    } finally {
      child.kill('SIGTERM');
      await closed;
      clearTimeout(kill);
    }
  });
});

describe('S190 an agent in a folder opened to others: the commands name the one fix, and it works', () => {
  /** Run a printed fix line in a shell (it must succeed). */
  const follow = async (stderr: string) => {
    const fix = /\n {2}fix: (.+)\n/.exec(stderr)?.[1];
    assert.ok(fix, `a fix line: ${stderr}`);
    const code = await new Promise<number | null>((resolve) =>
      spawn('sh', ['-c', fix], { stdio: 'ignore' }).on('close', resolve),
    );
    assert.equal(code, 0, fix);
    return fix;
  };

  it('S190 agent stop and status say chmod 700 (not start), exit non-zero, and after the fix stop stops it', async () => {
    const env = baseEnv(tempDir('tl-agent-opened-'));
    const agent = await serveAgent(env, 'test-build');
    try {
      chmodSync(dirname(agent.socket), 0o755);
      const status = await runCli(['agent', 'status'], env);
      assert.equal(status.code, 1);
      assert.match(
        status.stdout,
        /^agent not asked: other users may use the folder .+; fix: chmod 700 \S+\n$/,
      );
      const stop = await runCli(['agent', 'stop'], env);
      assert.equal(stop.code, 2, stop.stdout + stop.stderr);
      assert.match(await follow(stop.stderr), /^chmod 700 /);
      const stopped = await runCli(['agent', 'stop'], env);
      assert.equal(stopped.code, 0, stopped.stderr);
      assert.match(stopped.stdout, /^agent stopped \(pid \d+\)\n$/);
      await agent.stopped;
    } finally {
      await agent.close().catch(() => {});
    }
  });

  it('S190 agent start in a folder of the user’s own that others may write to: one fix, then it starts', async () => {
    const env = baseEnv(tempDir('tl-agent-shared-own-'));
    const folder = dirname(agentSocketPath(env));
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    chmodSync(folder, 0o777);
    const refused = await runCli(['agent', 'start'], env);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(await follow(refused.stderr), /^chmod 700 /);
    const started = await runCli(['agent', 'start'], env);
    assert.equal(started.code, 0, started.stderr);
    assert.equal((await runCli(['agent', 'stop'], env)).code, 0);
  });
});
