/**
 * The local CA of `--https` and the folder it lives in: the emulator uses only TLS material (and signing keys)
 * that are the user's own and private, and the CA it makes can vouch for loopback names and addresses only,
 * so that neither a planted CA nor a leaked CA key lets anyone impersonate another host to the user.
 */
import 'reflect-metadata';
import * as assert from 'node:assert/strict';
import { X509Certificate as NodeX509 } from 'node:crypto';
import { once } from 'node:events';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect, createServer } from 'node:tls';
import { AsnConvert } from '@peculiar/asn1-schema';
import { id_ce_nameConstraints, NameConstraints } from '@peculiar/asn1-x509';
import * as x509 from '@peculiar/x509';
import { createCertificateAuthority, createServerCertificate } from '../src/keys/certificates.ts';
import { type EmulatorOptions, EmulatorOptionsError, startEmulator } from '../src/index.ts';

const TIMEOUT = { timeout: 60_000 };
/** `nobody` on Debian: the other user who plants files (chown needs the root test process, as in CI). */
const OTHER_UID = 65534;

let base: string;
before(async () => {
  base = await mkdtemp(join(tmpdir(), 'tokenloop-tls-'));
});
after(async () => {
  await rm(base, { recursive: true, force: true });
});

let n = 0;
/** A fresh data folder path (not created) inside this file's private temporary folder. */
function dataDir(): string {
  return join(base, `data-${++n}`);
}

/** Starts an https emulator on `dir`, returns its CA file, and stops it. */
async function httpsOnce(dir: string): Promise<string> {
  const e = await startEmulator({ https: true, dataDir: dir });
  try {
    return e.caCertFile!;
  } finally {
    await e.close();
  }
}

/** Accepts one TLS connection with `leaf` and reports whether a client trusting only `caPem` completed it. */
async function handshake(
  leaf: { certificatePem: string; privateKeyPem: string },
  caPem: string,
  servername?: string,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const server = createServer({ cert: leaf.certificatePem, key: leaf.privateKeyPem }, (s) => s.end());
  server.on('tlsClientError', () => {});
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const socket = connect({
      host: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
      ca: [caPem],
      ...(servername ? { servername } : {}),
      // Only the chain is judged here (the trust anchor's name constraints), not the name we dialled.
      checkServerIdentity: () => undefined,
    });
    return await new Promise((resolve) => {
      socket.once('secureConnect', () => {
        socket.destroy();
        resolve({ ok: true });
      });
      socket.once('error', (err: Error) => {
        socket.destroy();
        resolve({ ok: false, reason: err.message });
      });
    });
  } finally {
    server.close();
  }
}

describe('S89 the local CA vouches for loopback only', TIMEOUT, () => {
  let dir: string;
  let caPem: string;
  let caKeyPem: string;
  before(async () => {
    dir = dataDir();
    const caFile = await httpsOnce(dir);
    caPem = await readFile(caFile, 'utf8');
    caKeyPem = await readFile(join(dir, 'tls', 'ca-key.pem'), 'utf8');
  });

  it('S89 the CA carries critical name constraints permitting only localhost, *.localhost, 127.0.0.0/8 and ::1', () => {
    assert.equal(new NodeX509(caPem).ca, true);
    const ext = new x509.X509Certificate(caPem).getExtension(id_ce_nameConstraints);
    assert.ok(ext, 'the CA has a name constraints extension');
    assert.equal(ext.critical, true, 'critical, so verifiers that do not know it refuse the chain');
    const nc = AsnConvert.parse(ext.value, NameConstraints);
    assert.equal(nc.excludedSubtrees, undefined);
    const permitted = Array.from(nc.permittedSubtrees ?? [], (s) => {
      assert.equal(s.minimum, 0);
      assert.equal(s.maximum, undefined);
      return s.base.dNSName !== undefined ? `DNS:${s.base.dNSName}` : `IP:${s.base.iPAddress}`;
    });
    // A dNSName constraint `localhost` permits localhost itself and every name below it (RFC 5280 §4.2.1.10).
    assert.deepEqual(permitted.sort(), ['DNS:localhost', 'IP:127.0.0.0/8', 'IP:::1/128']);
  });

  it('S89 with the CA as the only trust anchor, Node refuses a leaf for any other name it signs (a leaked CA key is worth nothing elsewhere)', async () => {
    const ca = { certificatePem: caPem, privateKeyPem: caKeyPem };
    for (const host of ['evil.example', 'login.microsoftonline.com', 'localhost.evil.example']) {
      const r = await handshake(await createServerCertificate(ca, [host]), caPem, host);
      assert.deepEqual(r, { ok: false, reason: 'permitted subtree violation' }, host);
    }
    for (const ip of ['10.0.0.1', '192.168.1.1', '::2']) {
      const r = await handshake(await createServerCertificate(ca, [ip]), caPem);
      assert.deepEqual(r, { ok: false, reason: 'permitted subtree violation' }, ip);
    }
    // A leaf naming a loopback name and a foreign one is refused as a whole.
    const mixed = await createServerCertificate(ca, ['localhost', 'evil.example']);
    assert.equal((await handshake(mixed, caPem, 'localhost')).ok, false);
    // What the emulator needs still works.
    for (const host of ['localhost', 'app.localhost', '127.0.0.1', '127.1.2.3', '::1']) {
      const isName = /[a-z]/.test(host) && !host.includes(':');
      const r = await handshake(await createServerCertificate(ca, [host]), caPem, isName ? host : undefined);
      assert.deepEqual(r, { ok: true }, host);
    }
  });

  it('S89 ca.pem ends with a newline: concatenated with another certificate, both certificates parse', async () => {
    assert.ok(caPem.endsWith('-----END CERTIFICATE-----\n'), 'a final newline');
    const other = (await createCertificateAuthority()).certificatePem;
    const bundle = caPem + other;
    const blocks = bundle.match(/-----BEGIN CERTIFICATE-----\n[\s\S]+?\n-----END CERTIFICATE-----\n/g) ?? [];
    assert.equal(blocks.length, 2, 'two well-formed PEM blocks');
    assert.equal(new NodeX509(blocks[0]!).fingerprint256, new NodeX509(caPem).fingerprint256);
    assert.equal(new NodeX509(blocks[1]!).fingerprint256, new NodeX509(other).fingerprint256);
    // A bundle file in NODE_EXTRA_CA_CERTS style works as a trust list for both.
    const server = await createServerCertificate({ certificatePem: caPem, privateKeyPem: caKeyPem }, [
      'localhost',
    ]);
    assert.deepEqual(await handshake(server, bundle, 'localhost'), { ok: true });
  });

  it('S89 a CA made by an earlier version (no name constraints) is replaced, and the server certificate re-issued by the new one', async () => {
    const old = dataDir();
    await mkdir(join(old, 'tls'), { recursive: true, mode: 0o700 });
    const unconstrained = await legacyCertificateAuthority();
    await writeFile(join(old, 'tls', 'ca.pem'), unconstrained.certificatePem, { mode: 0o600 });
    await writeFile(join(old, 'tls', 'ca-key.pem'), unconstrained.privateKeyPem, { mode: 0o600 });
    const server = await createServerCertificate(unconstrained, ['localhost', '127.0.0.1', '::1']);
    await writeFile(join(old, 'tls', 'server.pem'), server.certificatePem, { mode: 0o600 });
    await writeFile(join(old, 'tls', 'server-key.pem'), server.privateKeyPem, { mode: 0o600 });
    const lines: string[] = [];
    const e = await startEmulator({ https: true, dataDir: old, log: (l) => lines.push(l) });
    try {
      const ca = await readFile(e.caCertFile!, 'utf8');
      assert.notEqual(
        new NodeX509(ca).fingerprint256,
        new NodeX509(unconstrained.certificatePem).fingerprint256,
      );
      assert.ok(new x509.X509Certificate(ca).getExtension(id_ce_nameConstraints)?.critical);
      assert.notEqual(await readFile(join(old, 'tls', 'ca-key.pem'), 'utf8'), unconstrained.privateKeyPem);
      const served = await readFile(join(old, 'tls', 'server.pem'), 'utf8');
      assert.ok(new NodeX509(served).checkIssued(new NodeX509(ca)), 'the server certificate is the new CA’s');
      assert.ok(
        lines.some((l) => /without name constraints/.test(l) && l.includes(e.caCertFile!)),
        `the replacement is logged: ${lines.join(' | ')}`,
      );
      // And the emulator serves with it: a client trusting only the new CA connects.
      const res = await fetchWithCa(`${e.url}/common/discovery/instance`, ca);
      assert.equal(res, 200);
    } finally {
      await e.close();
    }
  });
});

describe('S156 a plain http request on the https port', TIMEOUT, () => {
  let e: Awaited<ReturnType<typeof startEmulator>>;
  before(async () => {
    e = await startEmulator({ https: true, dataDir: dataDir() });
  });
  after(async () => {
    await e?.close();
  });

  /** Sends `bytes` over a plain TCP connection to the emulator's port; all it answers until it closes. */
  async function raw(bytes: string): Promise<string> {
    const { connect: tcp } = await import('node:net');
    const socket = tcp({ host: '127.0.0.1', port: Number(new URL(e.url).port) });
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString('latin1')));
    socket.end(bytes);
    await once(socket, 'close');
    return out;
  }

  it('S156 gets a 400 naming the https URL to use, and TLS clients are served as before', async () => {
    const answer = await raw('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 400 /);
    const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
    assert.ok(body.includes(`${e.url}/`), `the body names ${e.url}/: ${JSON.stringify(answer)}`);
    // The Host header sent is not echoed.
    const evil = await raw('GET / HTTP/1.1\r\nHost: <script>evil.example\r\n\r\n');
    assert.match(evil, /^HTTP\/1\.1 400 /);
    assert.doesNotMatch(evil, /evil\.example|<script>/);
    const ca = await readFile(e.caCertFile!, 'utf8');
    assert.equal(await fetchWithCa(`${e.url}/common/discovery/instance`, ca), 200);
  });

  it('S156 garbage and half requests on the https port are closed without harm; TLS clients are still served', async () => {
    const garbage = [
      'G',
      'GET',
      'get / HTTP/1.1\r\n\r\n',
      '\x00\x00\x00',
      '\x16\x03\x01\x00',
      '\xff'.repeat(64),
      ' GET /',
    ];
    const answers = await Promise.all(garbage.map((g) => raw(g)));
    garbage.forEach((g, i) =>
      assert.ok(
        answers[i] === '' || /^HTTP\/1\.1 400 /.test(answers[i]!),
        `${JSON.stringify(g)}: closed, or a 400 (got ${JSON.stringify(answers[i])})`,
      ),
    );
    assert.match(answers[1]!, /^HTTP\/1\.1 400 /, 'a method without the rest yet is taken for plain http');
    const ca = await readFile(e.caCertFile!, 'utf8');
    assert.equal(await fetchWithCa(`${e.url}/common/discovery/instance`, ca), 200);
  });
});

describe(
  'S88 the emulator refuses TLS material and signing keys another user could have planted or read',
  TIMEOUT,
  () => {
    /** A planted CA: made by "the other user", whose key they hold. */
    async function plantCa(tls: string): Promise<void> {
      const ca = await createCertificateAuthority();
      await writeFile(join(tls, 'ca.pem'), ca.certificatePem, { mode: 0o644 });
      await writeFile(join(tls, 'ca-key.pem'), ca.privateKeyPem, { mode: 0o600 });
    }

    async function refused(dir: string, pattern: RegExp): Promise<void> {
      const before = await snapshot(dir);
      await refusedStart({ https: true, dataDir: dir }, pattern);
      assert.deepEqual(await snapshot(dir), before, 'nothing in the folder was used, replaced or created');
    }

    it('S88 a tls folder owned by another user, with a planted CA and key, is refused (and never printed as the CA to trust)', async () => {
      const dir = dataDir();
      const tls = join(dir, 'tls');
      await mkdir(tls, { recursive: true, mode: 0o700 });
      await chown(tls, OTHER_UID, OTHER_UID);
      await chmod(tls, 0o755);
      await plantCa(tls);
      await chown(join(tls, 'ca.pem'), OTHER_UID, OTHER_UID);
      await chown(join(tls, 'ca-key.pem'), OTHER_UID, OTHER_UID);
      await refused(dir, new RegExp(`${escape(tls)}' is owned by uid ${OTHER_UID}, not by you .*remove it`));
    });

    it('S88 a data folder owned by another user is refused, even when it is not writable by anyone else', async () => {
      const dir = dataDir();
      await mkdir(dir, { mode: 0o755 });
      await chown(dir, OTHER_UID, OTHER_UID);
      await refused(dir, new RegExp(`${escape(dir)}' is owned by uid ${OTHER_UID}`));
    });

    it('S88 planted files owned by another user inside the user’s own folder are refused', async () => {
      for (const name of ['ca.pem', 'ca-key.pem']) {
        const dir = dataDir();
        const tls = join(dir, 'tls');
        await mkdir(tls, { recursive: true, mode: 0o700 });
        await plantCa(tls);
        await chown(join(tls, name), OTHER_UID, OTHER_UID);
        await refused(dir, new RegExp(`${escape(join(tls, name))}' is owned by uid ${OTHER_UID}.*rm `));
      }
    });

    it('S88 a CA key readable by others (0644) is refused: the key must be 0600 and the user’s own', async () => {
      const dir = dataDir();
      const tls = join(dir, 'tls');
      await mkdir(tls, { recursive: true, mode: 0o700 });
      await plantCa(tls);
      await chmod(join(tls, 'ca-key.pem'), 0o644);
      await refused(dir, /ca-key\.pem' is readable by others \(mode 0644\).*delete .*tls'/);
      await chmod(join(tls, 'ca-key.pem'), 0o640);
      await refused(dir, /ca-key\.pem' is readable by others \(mode 0640\)/);
    });

    it('S88 a CA certificate others may write (0666), a group/world-writable tls or data folder, and a symlinked key are refused', async () => {
      const a = dataDir();
      await mkdir(join(a, 'tls'), { recursive: true, mode: 0o700 });
      await plantCa(join(a, 'tls'));
      await chmod(join(a, 'tls', 'ca.pem'), 0o666);
      await refused(a, /ca\.pem' may be changed by others \(mode 0666\).*chmod go-w /);

      const b = dataDir();
      await mkdir(join(b, 'tls'), { recursive: true, mode: 0o700 });
      await chmod(join(b, 'tls'), 0o777);
      await refused(b, /tls' may be changed by others \(mode 0777\).*chmod go-w /);
      await chmod(join(b, 'tls'), 0o770);
      await refused(b, /tls' may be changed by others \(mode 0770\)/);

      const c = dataDir();
      await mkdir(c, { mode: 0o775 });
      await chmod(c, 0o775);
      await refused(c, new RegExp(`${escape(c)}' may be changed by others \\(mode 0775\\)`));

      const d = dataDir();
      await mkdir(join(d, 'tls'), { recursive: true, mode: 0o700 });
      const elsewhere = join(base, `key-elsewhere-${n}.pem`);
      const ca = await createCertificateAuthority();
      await writeFile(elsewhere, ca.privateKeyPem, { mode: 0o600 });
      await writeFile(join(d, 'tls', 'ca.pem'), ca.certificatePem, { mode: 0o600 });
      await symlink(elsewhere, join(d, 'tls', 'ca-key.pem'));
      await refused(d, /ca-key\.pem' is a symbolic link/);
    });

    it('S88 a parent folder another user may write to (no sticky bit) is refused; a sticky one like /tmp is fine', async () => {
      const shared = join(base, `shared-${++n}`);
      await mkdir(shared);
      await chown(shared, OTHER_UID, OTHER_UID);
      await chmod(shared, 0o777);
      const dir = join(shared, 'mine');
      await mkdir(dir, { mode: 0o700 });
      await refused(
        dir,
        new RegExp(`${escape(shared)}' is owned by uid ${OTHER_UID}, not by you .*--data-dir`),
      );

      // The same folder made sticky and root's (as /tmp is): other users cannot rename or replace what is ours.
      await chown(shared, 0, 0);
      await chmod(shared, 0o1777);
      assert.ok((await stat(shared)).mode & 0o1000);
      const caFile = await httpsOnce(dir);
      assert.ok(caFile.startsWith(dir));
    });

    it('S88 signing keys (signing-keys.json) another user could read or plant are refused too', async () => {
      const dir = dataDir();
      const e = await startEmulator({ dataDir: dir });
      await e.close();
      const file = join(dir, 'signing-keys.json');
      await chmod(file, 0o644);
      await refusedStart({ dataDir: dir }, /signing-keys\.json' is readable by others/);
      await chmod(file, 0o600);
      await chown(file, OTHER_UID, OTHER_UID);
      await refusedStart({ dataDir: dir }, new RegExp(`signing-keys\\.json' is owned by uid ${OTHER_UID}`));
    });

    it('S88 a new data folder is made private (0700), and the key files 0600', async () => {
      const dir = dataDir();
      await httpsOnce(dir);
      assert.equal((await stat(dir)).mode & 0o777, 0o700);
      assert.equal((await stat(join(dir, 'tls'))).mode & 0o777, 0o700);
      for (const name of ['ca-key.pem', 'server-key.pem'])
        assert.equal((await stat(join(dir, 'tls', name))).mode & 0o777, 0o600, name);
      assert.equal((await stat(join(dir, 'signing-keys.json'))).mode & 0o777, 0o600);
    });
  },
);

/** The emulator must not start with `options`: a user error (no stack) whose message matches `pattern`. */
async function refusedStart(options: EmulatorOptions, pattern: RegExp): Promise<void> {
  const outcome = await startEmulator(options).then(
    async (e) => {
      await e.close();
      return undefined;
    },
    (err: unknown) => err,
  );
  assert.ok(outcome instanceof EmulatorOptionsError, `refused as a user error, got ${String(outcome)}`);
  assert.match(outcome.message, pattern);
}

/** Every entry under `dir`: path → owner, mode, size and modification time (what a refusal must not touch). */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const { readdir, lstat } = await import('node:fs/promises');
  const out: Record<string, string> = {};
  const walk = async (p: string): Promise<void> => {
    const s = await lstat(p);
    out[p] = `${s.uid} ${s.mode.toString(8)} ${s.size} ${s.mtimeMs}`;
    if (s.isDirectory()) for (const name of await readdir(p)) await walk(join(p, name));
  };
  await walk(dir);
  return out;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A CA as earlier versions made it: basic constraints and key usage, but no name constraints. */
async function legacyCertificateAuthority(): Promise<{ certificatePem: string; privateKeyPem: string }> {
  const { webcrypto } = await import('node:crypto');
  const alg = {
    name: 'RSASSA-PKCS1-v1_5',
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: 'SHA-256',
  } as const;
  x509.cryptoProvider.set(webcrypto as never);
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=tokenloop emulator local CA, O=tokenloop (local testing only)',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 365 * 86_400_000),
    keys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const body = der.toString('base64').replace(/.{64}/g, '$&\n').trim();
  return {
    certificatePem: cert.toString('pem'),
    privateKeyPem: `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n`,
  };
}

/** GET `url` trusting only `caPem`; the status code. */
async function fetchWithCa(url: string, caPem: string): Promise<number> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: [caPem] }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}
