// S78: no credential byte is ever written on a connection that is neither TLS nor to this machine. A hostile
// IMAP / POP3 / SMTP server that never offers STARTTLS (as when someone on the network strips it) is reached on a
// NON-loopback address — 192.0.2.2 in a test network namespace — by every path that sends a credential:
// `mail test` (each protocol, each mechanism) and the mail proxy's upstream login. The server must receive no
// credential and no AUTH command; `mail test` must say why it refused and print a fix that works (the same
// server with TLS from the first byte, where the credential then does arrive, proving the check can see it).
// A source sweep checks that SASL credentials are encoded in one place only, behind the guard.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, startEmulator } from '@tokenloop/emulator';
import { oauthBearer, xoauth2 } from 'tokenloop/mail';
import { BIN, baseEnv, freshHome, runCli, tempDir } from './support/cli.js';
import { sourceFiles } from '../../tokenloop/test/support/package-sources.js';
import { type RunningProxy, startProxy } from './support/mail-proxy.js';
import { type TestNetwork, converseIn, createTestNetwork } from './support/mail-netns.js';

const ALICE = 'alice@contoso.onmicrosoft.com';
const PASSWORD = 'correct horse battery staple';
const SERVER = '192.0.2.2';
const FAKE = join(import.meta.dirname, 'support', 'fake-mail-server.ts');
const ROOT = join(import.meta.dirname, '..', '..', '..');

/** The hostile server's certificate: its own CA, for 192.0.2.2. */
function makeCertificate(): { certFile: string; keyFile: string } {
  const dir = tempDir('tl-fake-mail-');
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1'],
      ...['-keyout', keyFile, '-out', certFile, '-subj', `/CN=${SERVER}`],
      ...['-addext', `subjectAltName=IP:${SERVER}`],
    ],
    { stdio: 'ignore' },
  );
  return { certFile, keyFile };
}

interface FakeServer {
  /** Everything each port received so far. */
  received(): Promise<Record<number, Buffer>>;
  stop(): void;
}

async function startFakeServer(net: TestNetwork, certFile: string, keyFile: string): Promise<FakeServer> {
  const child: ChildProcess = net.spawnIn(net.server, [
    process.execPath,
    '--import',
    'tsx',
    FAKE,
    certFile,
    keyFile,
  ]);
  const lines = createInterface({ input: child.stdout! });
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  lines.on('line', (l) => {
    queue.push(l);
    wake?.();
  });
  const next = async () => {
    while (queue.length === 0) await new Promise<void>((r) => (wake = r));
    return queue.shift()!;
  };
  assert.equal(await next(), 'ready');
  return {
    async received() {
      child.stdin!.write('dump\n');
      const dump = JSON.parse(await next()) as Record<string, string>;
      return Object.fromEntries(
        Object.entries(dump).map(([p, b64]) => [Number(p), Buffer.from(b64, 'base64')]),
      );
    },
    stop: () => void child.stdin!.end(),
  };
}

/** Runs the CLI inside namespace `ns`. */
function runIn(
  net: TestNetwork,
  ns: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  input = '',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = net.spawnIn(ns, [process.execPath, BIN, ...args], env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin!.end(input);
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

/** What a port received, as command lines (latin1). */
const linesOf = (bytes: Buffer | undefined) =>
  (bytes ?? Buffer.alloc(0))
    .toString('latin1')
    .split(/\r?\n/)
    .filter((l) => l !== '');

/** Asserts that none of the secrets (nor an AUTH command) is among `bytes`, without printing any of them. */
function assertNoCredential(bytes: Buffer | undefined, secrets: string[], where: string): void {
  const text = (bytes ?? Buffer.alloc(0)).toString('latin1');
  for (const [i, s] of secrets.entries())
    assert.ok(!text.includes(s), `${where}: the server received credential #${i} (not shown)`);
  const auth = linesOf(bytes).filter((l) => /^(\S+ )?AUTH(ENTICATE)?\b/i.test(l));
  assert.deepEqual(
    auth.map((l) => l.split(' ').slice(0, 3).join(' ').slice(0, 40)),
    [],
    `${where}: the server received an AUTH command`,
  );
}

const PLAIN: {
  scheme: string;
  protocol: 'imap' | 'pop3' | 'smtp';
  port: number;
  tls: string;
  tlsPort: number;
}[] = [
  { scheme: 'imap', protocol: 'imap', port: 143, tls: 'imaps', tlsPort: 993 },
  { scheme: 'pop3', protocol: 'pop3', port: 110, tls: 'pop3s', tlsPort: 995 },
  { scheme: 'submission', protocol: 'smtp', port: 587, tls: 'submissions', tlsPort: 465 },
];

describe('S78 mail test: no credential before TLS off loopback (hostile server at 192.0.2.2, no STARTTLS)', () => {
  let net: TestNetwork;
  let fake: FakeServer;
  let env: NodeJS.ProcessEnv;
  const token = `tlcanary${randomBytes(24).toString('hex')}`;
  before(async () => {
    net = createTestNetwork();
    const { certFile, keyFile } = makeCertificate();
    fake = await startFakeServer(net, certFile, keyFile);
    env = baseEnv(freshHome(), { NODE_EXTRA_CA_CERTS: certFile });
  });
  after(() => {
    fake?.stop();
    net?.remove();
  });

  for (const t of PLAIN) {
    for (const mechanism of ['xoauth2', 'oauthbearer'] as const) {
      it(`S78 ${t.scheme}:// with ${mechanism}: refused before any credential byte, with the reason and a working fix`, async () => {
        const secrets = [
          token,
          xoauth2(ALICE, token),
          oauthBearer(ALICE, token, { host: SERVER, port: t.port }),
          oauthBearer(ALICE, token, { host: SERVER, port: t.tlsPort }),
        ];
        const before = (await fake.received())[t.port]?.length ?? 0;
        const args = ['--user', ALICE, '--token-stdin', '--mechanism', mechanism];
        const r = await runIn(
          net,
          net.client,
          ['mail', 'test', `${t.scheme}://${SERVER}`, ...args],
          env,
          token,
        );
        const after = (await fake.received())[t.port]!;
        assertNoCredential(after.subarray(before), secrets, `${t.scheme}:// ${mechanism}`);
        assert.ok(after.length > before, 'the server was reached (greeting and capabilities)');
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /refusing to send the token to 192\.0\.2\.2:\d+/);
        assert.match(r.stderr, /not encrypted/);
        assert.match(r.stderr, /not on this machine/);
        assert.ok(!(r.stderr + r.stdout).includes(token), 'the token is not printed');
        const fix = /fix: .*?\b((?:imaps|pop3s|submissions):\/\/\S+?)[\s,)]/.exec(r.stderr)?.[1];
        assert.equal(fix, `${t.tls}://${SERVER}`, r.stderr);

        // The fix works: TLS from the first byte, and there the credential does arrive (the check above sees it).
        const tlsBefore = (await fake.received())[t.tlsPort]?.length ?? 0;
        const ok = await runIn(net, net.client, ['mail', 'test', fix, ...args], env, token);
        assert.equal(ok.code, 0, ok.stderr);
        assert.match(ok.stderr, /: TLS; mechanisms: /);
        assert.match(ok.stderr, new RegExp(`${mechanism.toUpperCase()} login as ${ALICE} succeeded`));
        const tlsBytes = (await fake.received())[t.tlsPort]!.subarray(tlsBefore).toString('latin1');
        assert.ok(
          secrets.slice(1).some((s) => tlsBytes.includes(s)),
          'over TLS the SASL credential reached the server',
        );
      });
    }
  }
});

describe('S78 mail proxy: the upstream login sends no credential before TLS off loopback', () => {
  let net: TestNetwork;
  let fake: FakeServer;
  let em: RunningEmulator;
  let proxy: RunningProxy;
  let tokens: string[];
  before(async () => {
    net = createTestNetwork();
    const { certFile, keyFile } = makeCertificate();
    fake = await startFakeServer(net, certFile, keyFile);
    em = await startEmulator({ autoLogin: 'alice', settings: { deviceCodeInterval: 1 } });
    const env = baseEnv(freshHome());
    const scopes = ['IMAP.AccessAsUser.All', 'POP.AccessAsUser.All', 'SMTP.Send'].map(
      (s) => `https://outlook.office.com/${s}`,
    );
    const add = await runCli(
      ['profile', 'add', 'mail', '--emulator', em.url, ...scopes.flatMap((s) => ['--scope', s])],
      env,
    );
    assert.equal(add.code, 0, add.stderr);
    assert.equal((await runCli(['login', '--device'], env)).code, 0);
    assert.equal((await runCli(['mail', 'password', ALICE, '--stdin'], env, `${PASSWORD}\n`)).code, 0);
    // Inside the namespace (no route to the emulator) the cached tokens are still at hand: without the guard
    // the proxy would send them.
    tokens = [];
    for (const scope of scopes) {
      const t = await runIn(net, net.client, ['token', '--scope', scope], env);
      assert.equal(t.code, 0, `the proxy can get a token inside the namespace: ${t.stderr}`);
      tokens.push(t.stdout.trim());
    }
    proxy = await startProxy(
      [
        ...['--imap', `0=imap://${SERVER}`],
        ...['--pop3', `0=pop3://${SERVER}`],
        ...['--smtp', `0=submission://${SERVER}`],
      ],
      env,
      ['ip', 'netns', 'exec', net.client],
    );
  });
  after(async () => {
    await proxy?.stop();
    fake?.stop();
    await em?.close();
    net?.remove();
  });

  const secretsFor = (port: number) =>
    tokens.flatMap((t) => [t.slice(0, 60), xoauth2(ALICE, t), oauthBearer(ALICE, t, { host: SERVER, port })]);
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

  const cases: {
    protocol: 'imap' | 'pop3' | 'smtp';
    port: number;
    steps: { send?: string; until: RegExp }[];
  }[] = [
    {
      protocol: 'imap',
      port: 143,
      steps: [{ until: /^\* OK/ }, { send: `a1 LOGIN "${ALICE}" "${PASSWORD}"`, until: /^a1 / }],
    },
    {
      protocol: 'pop3',
      port: 110,
      steps: [
        { until: /^\+OK/ },
        { send: `USER ${ALICE}`, until: /^[+-]/ },
        { send: `PASS ${PASSWORD}`, until: /^[+-]/ },
      ],
    },
    {
      protocol: 'smtp',
      port: 587,
      steps: [
        { until: /^220 / },
        { send: 'EHLO client.test', until: /^250 / },
        { send: `AUTH PLAIN ${b64(`\0${ALICE}\0${PASSWORD}`)}`, until: /^\d{3} / },
      ],
    },
  ];
  for (const c of cases) {
    it(`S78 ${c.protocol}: the proxy refuses the plain upstream before any credential byte, and says why`, async () => {
      const before = (await fake.received())[c.port]?.length ?? 0;
      const lines = await converseIn(net, net.client, proxy.ports[c.protocol]!, c.steps);
      const after = (await fake.received())[c.port]!;
      assertNoCredential(after.subarray(before), secretsFor(c.port), `proxy ${c.protocol}`);
      assert.ok(after.length > before, 'the proxy reached the server');
      const last = lines.at(-1) ?? '';
      assert.match(
        last,
        /^(a1 NO \[UNAVAILABLE\]|-ERR \[SYS\/TEMP\]|454 4\.7\.0) tokenloop: refusing to send the token to 192\.0\.2\.2:\d+: the connection is not encrypted/,
      );
      assert.match(proxy.log(), /refusing to send the token to 192\.0\.2\.2/);
    });
  }
});

describe('S78 sweep: SASL credentials are encoded and written in one place, behind the transport guard', () => {
  const files = readdirSync(join(ROOT, 'packages')).flatMap((pkg) => {
    try {
      return sourceFiles(join(ROOT, 'packages', pkg, 'src'));
    } catch {
      return [];
    }
  });
  const rel = (f: string) => relative(ROOT, f).split('\\').join('/');
  /** Code without comments, so that documentation examples do not count. */
  const code = (f: string) =>
    readFileSync(f, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/(^|[^:])\/\/.*$/gm, '$1');

  // Where a SASL bearer string may be made: the library's encoders themselves, the one guarded sender, and
  // `tokenloop token --format xoauth2|oauthbearer`, which prints it for the user (no network).
  const ENCODER = 'packages/tokenloop/src/mail/sasl.ts';
  const SENDER = 'packages/cli/src/commands/mail/mail-auth.ts';
  const PRINTER = 'packages/cli/src/output/token-format.ts';

  it('S78 only the guarded sender (and the token printer) encode a SASL bearer credential', () => {
    assert.ok(files.length > 100, 'the sources were found');
    const encoders = files
      .filter((f) => rel(f) !== ENCODER && /\b(xoauth2|oauthBearer)\s*\(/.test(code(f)))
      .map(rel)
      .sort();
    assert.deepEqual(encoders, [SENDER, PRINTER].sort());
    const handRolled = files.filter((f) => rel(f) !== ENCODER && /auth=Bearer/.test(code(f))).map(rel);
    assert.deepEqual(handRolled, [], 'no hand-made XOAUTH2 / OAUTHBEARER strings');
    const authWriters = files
      .filter((f) => rel(f) !== SENDER && /(AUTHENTICATE|AUTH) \$\{mechanism\}|XOAUTH2 \$\{/.test(code(f)))
      .map(rel);
    assert.deepEqual(authWriters, [], 'no other SASL bearer AUTH command is written');
  });

  it('S78 in the sender, the guard runs before the credential is encoded and before anything is written', () => {
    const text = code(join(ROOT, SENDER));
    const fn = /export async function saslLogin\([\s\S]*?\n\}\n/.exec(text)?.[0] ?? '';
    assert.ok(fn, 'saslLogin is found');
    const guard = fn.indexOf('requireProtectedTransport(');
    assert.ok(guard > 0, 'saslLogin calls the guard');
    for (const later of ['xoauth2(', 'oauthBearer(', '.writeLine(', '.write(']) {
      const i = fn.indexOf(later);
      assert.ok(i < 0 || i > guard, `${later} comes after the guard`);
    }
    const encodings = [...text.matchAll(/\b(xoauth2|oauthBearer)\s*\(/g)].map((m) => m.index);
    const start = text.indexOf(fn);
    assert.ok(
      encodings.every((i) => i > start + guard && i < start + fn.length),
      'the credential is encoded only inside saslLogin, after the guard',
    );
  });
});
