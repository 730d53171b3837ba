// HTTP_PROXY / NO_PROXY are honoured (a real forward proxy on loopback sees the requests), and debug logging
// (TOKENLOOP_DEBUG) shows the conversation without a single token or secret.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { type IncomingMessage, type ServerResponse, createServer, request } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ScriptedProvider, startScriptedProvider } from '../support/scripted-provider.js';

const SECRET = 'client-secret-VALUE-7f3a9';

function withoutProxyVariables(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'])
    delete env[name];
  return env;
}

function runChild(
  p: ScriptedProvider,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'children', 'app-token.ts'), p.url, p.clientId, SECRET],
      {
        env: { ...withoutProxyVariables(), ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr })); // 'close': after the last output, not just the exit
  });
}

describe('proxy and debug logging', () => {
  let p: ScriptedProvider;
  const proxied: string[] = [];
  const proxy = createServer((req: IncomingMessage, res: ServerResponse) => {
    // A plain forward proxy: absolute-form request line, forwarded as is.
    proxied.push(req.url ?? '');
    const target = new URL(req.url ?? '');
    const upstream = request(target, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  // undici tunnels through the proxy with CONNECT, for http and https targets alike.
  proxy.on('connect', (req: IncomingMessage, client: import('node:net').Socket, head: Buffer) => {
    proxied.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  let proxyUrl = '';
  before(async () => {
    p = await startScriptedProvider();
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  after(async () => {
    await p.close();
    proxy.closeAllConnections();
    proxy.close();
  });

  it('HTTP_PROXY routes every request through the proxy; NO_PROXY exempts hosts', async () => {
    proxied.length = 0;
    const viaProxy = await runChild(p, { HTTP_PROXY: proxyUrl });
    assert.equal(viaProxy.code, 0, viaProxy.stderr);
    const host = new URL(p.url).host;
    assert.ok(
      proxied.length > 0 && proxied.every((u) => u === `CONNECT ${host}` || u.startsWith(p.url)),
      JSON.stringify(proxied),
    );
    proxied.length = 0;
    const direct = await runChild(p, { HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' });
    assert.equal(direct.code, 0, direct.stderr);
    assert.deepEqual(proxied, []);
  });

  it('TOKENLOOP_DEBUG=1 logs requests and flow steps, never a token, secret or Authorization header', async () => {
    const before = p.log.length;
    const run = await runChild(p, { TOKENLOOP_DEBUG: '1' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /tokenloop:http /);
    assert.match(run.stderr, /tokenloop:flow /);
    assert.match(run.stderr, /tokenloop:discovery /);
    // Every secret that crossed the wire in this run, from the provider's side.
    const secrets = new Set<string>([SECRET]);
    for (const r of p.log.slice(before)) {
      for (const name of ['refresh_token', 'device_code', 'client_secret', 'code']) {
        const v = r.body.get(name);
        if (v) secrets.add(v);
      }
      if (r.headers.authorization) secrets.add(r.headers.authorization.replace(/^\w+ /, ''));
    }
    assert.ok(secrets.size >= 3);
    for (const s of secrets) assert.ok(!run.stderr.includes(s), 'a secret value appeared in the debug log');
    assert.doesNotMatch(
      run.stderr,
      /\bat-\d+-[0-9a-f]{16}\b|\brt-\d+-[0-9a-f]{16}\b|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/,
    );
  });
});
