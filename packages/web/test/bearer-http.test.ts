// The bearer verifier fetches discovery and keys through the library's one HTTP client (S62, S63): a key
// endpoint that redirects elsewhere is refused without a request to the other origin, and a 40 MiB key set is
// cut off at the size cap with a clear error, not read into memory, and the keys are fetched through the proxy
// the environment names. The issuer is a loopback one with a key of
// this test (support/bearer-issuer.ts): the emulator's key endpoint behaves.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { type IncomingMessage, createServer } from 'node:http';
import { type AddressInfo, type Socket, connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAccessTokenVerifier } from '@tokenloop/web';
import { startApi } from './support/api-server.js';
import { type LoopbackIssuer, startKeyServer, startLoopbackIssuer } from './support/bearer-issuer.js';

const TENANT = '2b4d6f80-1a3c-4e5f-8a7b-9c0d1e2f3a4b';
const AUDIENCE = 'api://bearer-http';
const MiB = 1024 * 1024;

describe('S63 the bearer verifier under the library HTTP rules', () => {
  let issuer: LoopbackIssuer;
  let token: string;
  before(async () => {
    issuer = await startLoopbackIssuer(TENANT);
    const now = Math.floor(Date.now() / 1000);
    token = await issuer.sign({
      iss: issuer.v2Issuer,
      aud: AUDIENCE,
      tid: TENANT,
      sub: 'app-sp',
      oid: 'app-sp',
      idtyp: 'app',
      azp: 'caller',
      azpacr: '1',
      roles: ['Data.Read.All'],
      ver: '2.0',
      iat: now,
      exp: now + 600,
    });
  });
  after(() => issuer.close());

  it('S63 control: with a well-behaved key endpoint the token passes', async () => {
    issuer.keys = { kind: 'keys' };
    const verifier = createAccessTokenVerifier({ authority: issuer.authority, audience: AUDIENCE });
    assert.equal((await verifier.verify(token)).sub, 'app-sp');
  });

  it('S63 a key endpoint that redirects to another origin is refused; the other origin gets no request', async () => {
    const elsewhere = await startKeyServer(issuer.jwks);
    try {
      issuer.keys = { kind: 'redirect', location: `${elsewhere.url}/keys` };
      const verifier = createAccessTokenVerifier({ authority: issuer.authority, audience: AUDIENCE });
      await assert.rejects(verifier.verify(token), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'INVALID_RESPONSE', err.message);
        assert.match(
          err.message,
          /redirect \(HTTP 302\) to http:\/\/127\.0\.0\.1:\d+\/keys; tokenloop follows no redirects/,
        );
        return true;
      });
      assert.equal(elsewhere.hits(), 0, 'the redirect was not followed');
      // Through an API: the keys cannot be had, which is not the caller's fault.
      const api = await startApi({ authority: issuer.authority, audience: AUDIENCE });
      try {
        const res = await fetch(`${api.url}/any`, { headers: { authorization: `Bearer ${token}` } });
        assert.equal(res.status, 503);
        assert.ok(!(await res.text()).includes(token));
      } finally {
        await api.close();
      }
      assert.equal(elsewhere.hits(), 0);
    } finally {
      issuer.keys = { kind: 'keys' };
      await elsewhere.close();
    }
  });

  it('S63 a 40 MiB key set is cut off at the size cap (1 MiB by default, http.maxResponseBytes) with a clear error', async () => {
    issuer.hugeBytesWritten = 0;
    issuer.keys = { kind: 'huge', bytes: 40 * MiB };
    try {
      const verifier = createAccessTokenVerifier({ authority: issuer.authority, audience: AUDIENCE });
      await assert.rejects(verifier.verify(token), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'INVALID_RESPONSE', err.message);
        assert.match(
          err.message,
          /^response from http:\/\/127\.0\.0\.1:\d+\/.+\/keys is larger than 1048576 bytes$/,
        );
        return true;
      });
      // The client stopped reading: far less than the 40 MiB left the server (socket buffers hold a few MiB).
      assert.ok(issuer.hugeBytesWritten < 16 * MiB, `${(issuer.hugeBytesWritten / MiB).toFixed(1)} MiB sent`);
      const roomy = createAccessTokenVerifier({
        authority: issuer.authority,
        audience: AUDIENCE,
        http: { maxResponseBytes: 2 * MiB },
      });
      await assert.rejects(roomy.verify(token), /larger than 2097152 bytes/);
    } finally {
      issuer.keys = { kind: 'keys' };
    }
  });

  it('S63 the key requests go through the proxy from the environment (HTTP_PROXY), like every other request', async () => {
    // A CONNECT proxy on loopback that records where it was asked to connect (undici tunnels http too).
    const tunnels: string[] = [];
    const proxy = createServer();
    proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
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
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    // The keys live on another origin, so the proxy's log tells the key request from the discovery request.
    const keyServer = await startKeyServer(issuer.jwks);
    issuer.jwksUri = `${keyServer.url}/keys`;
    try {
      const env: NodeJS.ProcessEnv = { ...process.env };
      for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'])
        delete env[name];
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(import.meta.dirname, 'support', 'bearer-child-verify.ts')],
        {
          env: {
            ...env,
            HTTP_PROXY: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
            BEARER_TEST_AUTHORITY: issuer.authority,
            BEARER_TEST_AUDIENCE: AUDIENCE,
            BEARER_TEST_TOKEN: token,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(code, 0, err);
      assert.equal(out.trim(), 'ok');
      assert.ok(
        tunnels.includes(new URL(issuer.url).host),
        `discovery through the proxy: ${tunnels.join(' ')}`,
      );
      assert.ok(
        tunnels.includes(new URL(keyServer.url).host),
        `keys through the proxy: ${tunnels.join(' ')}`,
      );
      assert.equal(keyServer.hits(), 1);
    } finally {
      issuer.jwksUri = `${issuer.authority}/discovery/v2.0/keys`;
      await keyServer.close();
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });
});
