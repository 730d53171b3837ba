// Remote mode and the public URL (issue 13, part 5): the emulator listens on a non-loopback address only with
// the explicit opt-in, warns on every such start, and builds every URL it hands out from one base URL. The
// end-to-end run through a network namespace (a client on another host) is in packages/cli/test/emulator-remote.test.ts.
import * as assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import type { EmulatorContext } from '../src/context.ts';
import { isOwnOrigin } from '../src/http/origin.ts';
import { EmulatorOptionsError, startEmulator } from '../src/index.ts';
import { TS_NAME, sourceFiles } from '../../tokenloop/test/support/package-sources.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
/** One data folder for the plain starts: its signing key is made once, not per start. */
const keys = tempData();

describe('S150 non-loopback addresses only with the explicit opt-in, and a warning on every start', () => {
  it('S150 0.0.0.0 and a LAN address are refused without allowRemote, naming the opt-in', async () => {
    for (const host of ['0.0.0.0', '::', '192.0.2.2', 'emulator.example']) {
      await assert.rejects(
        startEmulator({ host, port: 0 }),
        (err: Error) =>
          err instanceof EmulatorOptionsError &&
          /loopback/.test(err.message) &&
          err.message.includes('allowRemote: true'),
        host,
      );
      await assert.rejects(startEmulator({ host, port: 0, allowRemote: false }), EmulatorOptionsError, host);
    }
  });

  it('S150 with allowRemote it starts on 0.0.0.0 and warns, through log or else on stderr; loopback never warns', async () => {
    const lines: string[] = [];
    const remote = await startEmulator({
      host: '0.0.0.0',
      port: 0,
      allowRemote: true,
      dataDir: keys,
      log: (l) => lines.push(l),
    });
    await remote.close();
    assert.equal(lines.length, 1, 'one warning per start');
    assert.match(
      lines[0]!,
      /^WARNING: listening on 0\.0\.0\.0 .*published passwords.*tokens this emulator signs/,
    );
    // Without a log, the warning still reaches stderr: a library user cannot miss it.
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      const quiet = await startEmulator({ host: '0.0.0.0', port: 0, allowRemote: true, dataDir: keys });
      await quiet.close();
      const local = await startEmulator({
        host: '127.0.0.1',
        port: 0,
        allowRemote: true,
        dataDir: keys,
        log: (l) => lines.push(l),
      });
      await local.close();
    } finally {
      process.stderr.write = write;
    }
    assert.equal(written.filter((w) => /WARNING: listening on 0\.0\.0\.0/.test(w)).length, 1, 'on stderr');
    assert.equal(lines.length, 1, 'a loopback start with allowRemote does not warn');
  });
});

describe('S152 the public URL: checked, and the one base URL', () => {
  it('S152 refuses what is not an absolute http(s) origin of the scheme served, without echoing it', async () => {
    const cases: [string, boolean, RegExp][] = [
      ['emulator:8400', false, /must use http or https|not an absolute URL/],
      ['/relative', false, /not an absolute URL/],
      ['ftp://emulator:8400', false, /must use http or https/],
      ['http://user:secret-pw@emulator:8400', false, /user name or password/],
      ['http://emulator:8400/?a=1', false, /query or fragment/],
      ['http://emulator:8400/#x', false, /query or fragment/],
      ['http://emulator:8400/prefix', false, /must not have a path/],
      ['http://0.0.0.0:8400', false, /wildcard/],
      ['https://emulator:8400', false, /must use http:/],
      ['http://emulator:8400', true, /must use https/],
    ];
    for (const [publicUrl, https, says] of cases) {
      await assert.rejects(
        startEmulator({ port: 0, publicUrl, https, ...(https ? { dataDir: tempData() } : {}) }),
        (err: Error) =>
          err instanceof EmulatorOptionsError && says.test(err.message) && !err.message.includes('secret-pw'),
        publicUrl,
      );
    }
  });

  it('S152 the emulator`s url is the public URL as an origin (trailing slash and case normalised)', async () => {
    const e = await startEmulator({ port: 0, dataDir: keys, publicUrl: 'http://Emulator:8400/' });
    await e.close();
    assert.equal(e.url, 'http://emulator:8400');
  });

  it('S152 the cross-site guard takes the public origin as the emulator`s own, and no other host', () => {
    const ctx = { url: 'http://emulator:8400' } as EmulatorContext;
    assert.equal(isOwnOrigin(ctx, 'http://emulator:8400'), true);
    assert.equal(isOwnOrigin(ctx, 'http://127.0.0.1:8400'), true, 'a loopback name on the same port');
    for (const other of [
      'http://emulator:8401',
      'https://emulator:8400',
      'http://evil:8400',
      'http://192.0.2.2:8400',
    ])
      assert.equal(isOwnOrigin(ctx, other), false, other);
  });

  it('S152 sweep: no source builds a URL from the listening address or the request but the one base URL', () => {
    // Every URL the emulator hands out starts with ctx.url, set once from baseUrl (src/http/public-url.ts). A
    // new place that reads where the server listens, or what host a request named, to build a URL would
    // bypass --public-url: it must be listed here with why it is not a URL builder.
    const ALLOWED = new Map([
      ['start.ts', /\.address\(\)/], // the port, handed to baseUrl
      ['http/public-url.ts', /:\/\/\$\{/], // baseUrl itself
      ['http/local-callers.ts', /headers\.host|:\/\/\$\{/], // S151: the Host check (parses, builds nothing)
    ]);
    const src = join(import.meta.dirname, '..', 'src');
    const found: string[] = [];
    for (const p of sourceFiles(src, { names: TS_NAME })) {
      const file = relative(src, p).replaceAll('\\', '/');
      for (const [n, line] of readFileSync(p, 'utf8').split('\n').entries()) {
        if (/^\s*(\/\/|\*)/.test(line)) continue;
        const hit =
          /\.address\(\)|localPort|localAddress|headers\.host|headers\[['"]host['"]\]|x-forwarded-(host|proto)|(https?|\$\{[^}]+\}):\/\/\$\{/.exec(
            line,
          );
        if (hit && !ALLOWED.get(file)?.test(hit[0])) found.push(`${file}:${n + 1}: ${line.trim()}`);
        if (/\bctx\.url\s*=[^=]/.test(line) && file !== 'start.ts')
          found.push(`${file}:${n + 1}: sets ctx.url`);
      }
    }
    assert.deepEqual(found, []);
    const start = readFileSync(join(src, 'start.ts'), 'utf8');
    assert.match(start, /ctx\.url = baseUrl\(/, 'start.ts sets the base URL from baseUrl');
  });
});

describe('S153 https with a public URL: the certificate names it, within what the local CA may vouch for', () => {
  it('S153 the server certificate names a .localhost public host; a name outside the CA`s reach is refused', async () => {
    const dataDir = tempData();
    const e = await startEmulator({
      port: 0,
      https: true,
      dataDir,
      publicUrl: 'https://emulator.localhost:8443',
    });
    await e.close();
    assert.equal(e.url, 'https://emulator.localhost:8443');
    const cert = new X509Certificate(readFileSync(join(dataDir, 'tls', 'server.pem')));
    const ca = new X509Certificate(readFileSync(e.caCertFile!));
    assert.equal(cert.checkHost('emulator.localhost'), 'emulator.localhost');
    assert.equal(cert.checkHost('localhost'), 'localhost', 'still the loopback names');
    assert.ok(cert.checkIssued(ca) && cert.verify(ca.publicKey), 'issued by the local CA');
    await assert.rejects(
      startEmulator({ port: 0, https: true, dataDir, publicUrl: 'https://emulator:8443' }),
      (err: Error) =>
        err instanceof EmulatorOptionsError && /local CA vouches for localhost/.test(err.message),
    );
  });
});

function tempData(): string {
  const d = mkdtempSync(join(tmpdir(), 'tl-remote-'));
  dirs.push(d);
  return d;
}
