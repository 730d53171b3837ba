// The documented recipes, run with the real programs: curl with a bearer header, git over HTTP with a bearer
// token (http.extraHeader), both fed by `tokenloop token`. (Mail recipes — neomutt, msmtp, isync — need the
// mail servers and are exercised by the mail suite.)
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, startEmulator } from '@tokenloop/emulator';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { BIN, baseEnv, freshHome, runCli } from './support/cli.js';

function sh(
  script: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr })); // 'close': after the last output, not just the exit
  });
}

describe('CLI recipes with real programs', () => {
  let em: RunningEmulator;
  let home: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    em = await startEmulator({ autoLogin: 'alice', settings: { deviceCodeInterval: 1 } });
    home = freshHome();
    env = baseEnv(home, { PATH: `${join(BIN, '..')}:${process.env.PATH}` });
    await runCli(['profile', 'add', 'local', '--emulator', em.url], env);
    assert.equal((await runCli(['login', '--device'], env)).code, 0);
  });
  after(() => em.close());

  it('curl: -H "$(tokenloop token --format header)" calls Microsoft Graph /me', async () => {
    const r = await sh(`curl -sSf -H "$(tokenloop.js token --format header)" ${em.url}/v1.0/me`, env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      (JSON.parse(r.stdout) as { userPrincipalName: string }).userPrincipalName,
      'alice@contoso.onmicrosoft.com',
    );
  });

  it('git: clone over HTTP with http.extraHeader="Authorization: Bearer $(tokenloop token)"', async () => {
    // A bare repository served over git's "dumb" HTTP protocol by a server that accepts only a valid token
    // from the emulator (signature, issuer, audience checked against its JWKS).
    const repos = join(home, 'served');
    mkdirSync(repos);
    const work = join(home, 'work');
    const git = (cwd: string, ...args: string[]) =>
      execFileSync('git', args, {
        cwd,
        env: {
          ...env,
          GIT_AUTHOR_NAME: 't',
          GIT_AUTHOR_EMAIL: 't@example.test',
          GIT_COMMITTER_NAME: 't',
          GIT_COMMITTER_EMAIL: 't@example.test',
        },
        encoding: 'utf8',
      });
    mkdirSync(work);
    git(work, 'init', '-q', '-b', 'main');
    execFileSync('bash', ['-c', 'echo hello > README'], { cwd: work });
    git(work, 'add', 'README');
    git(work, 'commit', '-q', '-m', 'first');
    git(repos, 'clone', '-q', '--bare', work, 'project.git');
    git(join(repos, 'project.git'), 'update-server-info');
    const jwks = createRemoteJWKSet(new URL(`${em.url}/common/discovery/v2.0/keys`));
    const seen: number[] = [];
    const server = createServer(async (req, res) => {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      try {
        if (!token) throw new Error('no token');
        await jwtVerify(token, jwks, { audience: 'https://graph.microsoft.com' });
      } catch {
        seen.push(401);
        res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
        return;
      }
      const path = normalize(join(repos, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
      if (!path.startsWith(repos) || !statSync(path, { throwIfNoEntry: false })?.isFile()) {
        seen.push(404);
        res.writeHead(404).end();
        return;
      }
      seen.push(200);
      res.writeHead(200).end(readFileSync(path));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/project.git`;
    try {
      const denied = await sh(`git clone -q ${url} ${join(home, 'denied')}`, {
        ...env,
        GIT_TERMINAL_PROMPT: '0',
      });
      assert.notEqual(denied.code, 0, 'without a token the server refuses');
      const r = await sh(
        `git -c http.extraHeader="Authorization: Bearer $(tokenloop.js token)" clone -q ${url} ${join(home, 'clone')}`,
        env,
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal(readFileSync(join(home, 'clone', 'README'), 'utf8'), 'hello\n');
      assert.ok(seen.includes(401) && seen.includes(200));
    } finally {
      server.close();
    }
  });
});
