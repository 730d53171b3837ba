import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, startEmulator } from '../src/index.ts';

/*
 * The admin API's request checks, over HTTP with exactly the headers a test names: JSON bodies only on
 * state-changing requests, a loopback Host (DNS rebinding), the emulator's own Origin, no CORS preflight.
 */

const TIMEOUT = { timeout: 30_000 };

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with exactly these headers (fetch would not send a foreign Host), bounded to 10 s. */
function raw(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<RawAnswer> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname, method, headers, timeout: 10_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer to ${method} ${path} within 10 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

describe('admin API: JSON bodies only, loopback Host, same origin', TIMEOUT, () => {
  let e: RunningEmulator;
  let host: string;
  before(async () => {
    e = await startEmulator({});
    host = new URL(e.url).host;
  });
  after(() => e.close());

  const user = () =>
    JSON.stringify({
      username: `u${randomUUID().slice(0, 8)}@contoso.onmicrosoft.com`,
      password: 'pw-12345',
    });

  it('refuses form, text and type-less bodies on state-changing requests with 415', async () => {
    for (const type of [
      'application/x-www-form-urlencoded',
      'text/plain',
      'multipart/form-data; boundary=x',
    ]) {
      const res = await raw(e.url, 'POST', '/_emulator/api/users', { host, 'content-type': type }, user());
      assert.equal(res.status, 415, type);
      assert.equal(JSON.parse(res.body).error, 'unsupported_media_type');
    }
    for (const [method, path] of [
      ['POST', '/_emulator/api/users/alice/revoke'],
      ['POST', '/_emulator/api/keys/rotate'],
      ['POST', '/_emulator/stats/reset'],
      ['DELETE', '/_emulator/stats'],
      ['PUT', '/_emulator/api/users/alice/scenarios'],
    ] as const) {
      assert.equal((await raw(e.url, method, path, { host })).status, 415, `${method} ${path}`);
    }
    const ok = await raw(
      e.url,
      'POST',
      '/_emulator/api/users',
      { host, 'content-type': 'application/json; charset=utf-8' },
      user(),
    );
    assert.equal(ok.status, 201);
    const rotate = await raw(e.url, 'POST', '/_emulator/api/keys/rotate', {
      host,
      'content-type': 'application/json',
    });
    assert.equal(rotate.status, 200, 'a JSON request without a body is fine');
  });

  it('refuses a Host that is not a loopback name (DNS rebinding) with 403, on reads too', async () => {
    const port = new URL(e.url).port;
    for (const bad of [`evil.example:${port}`, `127.0.0.1.nip.io:${port}`, 'x']) {
      const res = await raw(e.url, 'GET', '/_emulator/api/directory', { host: bad });
      assert.equal(res.status, 403, `Host: ${bad}`);
      assert.doesNotMatch(res.body, /password/);
    }
    const posted = await raw(
      e.url,
      'POST',
      '/_emulator/api/users',
      { host: `evil.example:${port}`, 'content-type': 'application/json' },
      user(),
    );
    assert.equal(posted.status, 403);
    for (const good of [host, `localhost:${port}`, `[::1]:${port}`, `127.0.0.2:${port}`]) {
      assert.equal((await raw(e.url, 'GET', '/_emulator/api/directory', { host: good })).status, 200, good);
    }
  });

  it("refuses an Origin other than the emulator's own with 403; no CORS preflight for the admin API", async () => {
    const port = new URL(e.url).port;
    const post = (origin: string) =>
      raw(
        e.url,
        'POST',
        '/_emulator/api/users',
        { host, origin, 'content-type': 'application/json' },
        user(),
      );
    for (const origin of [
      'http://evil.example',
      `http://127.0.0.1:${Number(port) + 1}`,
      'null',
      `https://${host}`,
    ]) {
      const res = await post(origin);
      assert.equal(res.status, 403, `Origin: ${origin}`);
      assert.equal(JSON.parse(res.body).error, 'forbidden');
    }
    assert.equal(
      (await raw(e.url, 'GET', '/_emulator/api/directory', { host, origin: 'http://evil.example' })).status,
      403,
    );
    assert.equal((await post(e.url)).status, 201, 'its own origin');
    assert.equal((await post(`http://localhost:${port}`)).status, 201, 'the same origin under localhost');
    const preflight = await raw(e.url, 'OPTIONS', '/_emulator/api/users', {
      host,
      origin: 'http://evil.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    });
    assert.equal(preflight.status, 403);
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
  });
});
