// S190: `tokenloop token` asks the agent at its socket path only when that socket is the user's own, in a folder
// private to the user (the rule the agent applies to itself): a socket another user planted, or one in a folder
// others may use, is never connected to (nothing is sent), and `token` answers by itself.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync } from 'node:fs';
import { type Server, createServer } from 'node:net';
import { dirname } from 'node:path';
import { describe, it } from 'node:test';
import { agentSocketPath } from '../src/config/paths.js';
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
    assert.match(status.stdout, /^agent not asked: .+; start: tokenloop agent start\n$/);
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
