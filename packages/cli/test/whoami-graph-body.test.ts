// S188: whoami checks Microsoft Graph's /me answer before using it: a body that is not a JSON object (null, an
// array, a number, not JSON at all) is a clear error naming Graph, exit 1, never "unexpected error" or a stack.
// Graph here is the emulator behind a loopback proxy (its public URL) that answers /v1.0/me itself. An answer
// with an unavailable status (429 or 5xx, the library's isUnavailableStatus) is temporary: exit 3, as any other.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { type Server, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, startEmulator } from '@tokenloop/emulator';
import { baseEnv, freshHome, runCli, tempDir } from './support/cli.js';

const listen = (server: Server, port = 0) =>
  new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });

describe('whoami and the body of Graph /me', () => {
  let em: RunningEmulator;
  let proxy: Server;
  let meBody = '';
  let meStatus = 200;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    let target = 0;
    proxy = createServer((req, res) => {
      if (req.url === '/v1.0/me') {
        res.writeHead(meStatus, { 'content-type': 'application/json' }).end(meBody);
        return;
      }
      const out = request(
        { host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on('error', () => res.writeHead(502).end());
      req.pipe(out);
    });
    const port = await listen(proxy);
    // The emulator's own port: a free one, taken at once (a few bounded tries if another process took it).
    for (let attempt = 0; !em; attempt++) {
      const probe = createServer();
      target = await listen(probe);
      await new Promise((r) => probe.close(r));
      em = await startEmulator({
        port: target,
        publicUrl: `http://127.0.0.1:${port}`,
        dataDir: join(tempDir(), 'emulator'),
        autoLogin: 'bob',
        settings: { deviceCodeInterval: 1 },
      }).catch((err: unknown) => {
        if (attempt >= 4) throw err;
        return undefined as unknown as RunningEmulator;
      });
    }
    env = baseEnv(freshHome());
    const flags = ['--authority', `${em.url}/organizations`, '--client-id', SAMPLE_IDS.publicApp];
    const login = await runCli(['login', '--device', ...flags], env);
    assert.equal(login.code, 0, login.stderr);
  });
  after(async () => {
    await em?.close();
    proxy?.closeAllConnections();
    await new Promise((r) => proxy?.close(r));
  });

  it('S188 a /me body that is not a JSON object is a clear error naming Graph, exit 1, no stack', async () => {
    for (const body of ['null', '[]', 'not json']) {
      meBody = body;
      const r = await runCli(['whoami'], env);
      assert.equal(r.code, 1, `${body}: ${r.stderr}`);
      assert.match(r.stderr, /Microsoft Graph/, body);
      assert.doesNotMatch(r.stderr, /unexpected error|\n\s+at /, body);
    }
    meBody = JSON.stringify({ displayName: 'Bob', id: 'bob-id' });
    const ok = await runCli(['whoami'], env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^Bob\n {2}id: bob-id\n$/);
  });

  it('a /me answer of 429 or 5xx (Graph unavailable) is temporary: exit 3 with the fix to try again, no stack', async () => {
    meBody = JSON.stringify({ error: { code: 'TooManyRequests', message: 'throttled' } });
    try {
      for (const status of [429, 503, 501]) {
        meStatus = status;
        const r = await runCli(['whoami'], env);
        assert.equal(r.code, 3, `${status}: ${r.stderr}`);
        assert.match(r.stderr, new RegExp(`Microsoft Graph answered HTTP ${status} for /me`), String(status));
        assert.match(r.stderr, /\n {2}fix: .*try again/i, String(status));
        assert.doesNotMatch(r.stderr, /unexpected error|\n\s+at /, String(status));
      }
      meStatus = 404;
      const notFound = await runCli(['whoami'], env);
      assert.equal(notFound.code, 1, notFound.stderr);
    } finally {
      meStatus = 200;
    }
  });
});

it("S188 sweep: no CLI source trusts a response's JSON by a cast (`.json()) as`): it is checked before use", () => {
  const src = join(import.meta.dirname, '..', 'src');
  const found: string[] = [];
  for (const file of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts')) continue;
    if (/\.json\(\)[^;]*?\)\s*as\b/.test(readFileSync(join(src, file), 'utf8'))) found.push(file);
  }
  assert.deepEqual(found, []);
});
