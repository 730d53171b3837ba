// `tokenloop emulator` in remote mode (issue 13, part 5: docker-compose, dev containers), proven on a network of
// two namespaces the test makes itself (support/mail-netns.ts): the emulator listens on 0.0.0.0 in the "server"
// namespace, a client in the "client" namespace reaches it at 192.0.2.2 — another host, as a sibling container
// is — while every URL it is handed names the public URL http://emulator:8400. Making the namespaces needs
// CAP_NET_ADMIN: without it the test fails (it never skips).
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { SAMPLE_IDS, SAMPLE_SECRETS } from '@tokenloop/emulator';
import { BIN, baseEnv, freshHome, runCli, tempDir } from './support/cli.js';
import { type TestNetwork, createTestNetwork } from './support/mail-netns.js';

const PUBLIC = 'http://emulator:8400';
/** The JSON the client printed, checked field by field by the tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any shape the emulator answers
type Seen = Record<string, any>;
const WAIT_MS = 30_000;

function within<T>(p: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** A started `tokenloop emulator --json`: its ready line, and what it wrote on stderr so far. */
interface Started {
  child: ChildProcess;
  ready: { url: string };
  stderr: () => string;
}

function started(child: ChildProcess, what: string): Promise<Started> {
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const ready = new Promise<{ url: string }>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) =>
      resolve(JSON.parse(line) as { url: string }),
    );
    child.once('close', (code) =>
      reject(new Error(`${what} exited with ${code} before it was ready: ${stderr}`)),
    );
  });
  return within(ready, `${what} ready line`).then((r) => ({ child, ready: r, stderr: () => stderr }));
}

function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  child.kill('SIGTERM');
  return within(closed, 'the emulator stopping on SIGTERM');
}

// Runs in a namespace: the requests a client container makes, each URL the emulator hands out fetched at
// ADDRESS instead of the public origin (the name "emulator" resolves nowhere here, as in a container without
// that service). Prints what it saw as one JSON object: URLs, issuers, statuses — never a token.
const CLIENT = `
const [address, publicUrl, tenant, daemon, secret, header] = process.argv.slice(1);
const at = (url) => url.startsWith(publicUrl) ? address + url.slice(publicUrl.length) : url;
const get = (url, init) => fetch(at(url), { ...init, signal: AbortSignal.timeout(10000) });
const json = async (url, init) => { const r = await get(url, init); return { status: r.status, body: await r.json() }; };
const iss = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()).iss;
const form = (body) => ({ method: 'POST', body: new URLSearchParams(body) });
(async () => {
  const out = {};
  if (header) {
    const mi = await json(publicUrl + '/msi/token?api-version=2019-08-01&resource=https://graph.microsoft.com', { headers: { 'X-IDENTITY-HEADER': header } });
    out.msi = { status: mi.status, iss: mi.body.access_token ? iss(mi.body.access_token) : mi.body };
    out.admin = (await json(publicUrl + '/_emulator/api/directory')).body.url;
  } else {
    const v2 = (await json(publicUrl + '/' + tenant + '/v2.0/.well-known/openid-configuration')).body;
    const v1 = (await json(publicUrl + '/' + tenant + '/.well-known/openid-configuration')).body;
    out.v2 = v2;
    out.v1 = v1;
    out.jwksKeys = (await json(v2.jwks_uri)).body.keys.length;
    out.instance = (await json(publicUrl + '/common/discovery/instance?api-version=1.1&authorization_endpoint=' + encodeURIComponent(v2.authorization_endpoint))).body;
    const api = await json(v2.token_endpoint, form({ grant_type: 'client_credentials', client_id: daemon, client_secret: secret, scope: 'api://${SAMPLE_IDS.apiApp}/.default' }));
    out.tokenIss = iss(api.body.access_token);
    const token = await json(v2.token_endpoint, form({ grant_type: 'client_credentials', client_id: daemon, client_secret: secret, scope: 'https://graph.microsoft.com/.default' }));
    out.graphTokenIss = iss(token.body.access_token);
    const v1token = await json(v1.token_endpoint, form({ grant_type: 'client_credentials', client_id: daemon, client_secret: secret, resource: 'https://graph.microsoft.com' }));
    out.v1TokenIss = iss(v1token.body.access_token);
    const users = await json(publicUrl + '/v1.0/users?$top=1', { headers: { Authorization: 'Bearer ' + token.body.access_token } });
    out.graph = { context: users.body['@odata.context'], next: users.body['@odata.nextLink'] };
    out.device = (await json(v2.device_authorization_endpoint, form({ client_id: '${SAMPLE_IDS.publicApp}', scope: 'openid' }))).body.verification_uri;
    out.adminStatus = (await get(publicUrl + '/_emulator/api/directory')).status;
    out.msiStatus = (await get(publicUrl + '/msi/token?api-version=2019-08-01&resource=https://graph.microsoft.com', { headers: { 'X-IDENTITY-HEADER': secret } })).status;
  }
  process.stdout.write(JSON.stringify(out));
})().catch((err) => { process.stderr.write(String(err && err.message)); process.exit(1); });
`;

/** Runs the client in namespace `ns` against `address` and returns what it printed (bounded, read to 'close'). */
async function client(net: TestNetwork, ns: string, address: string, header = ''): Promise<Seen> {
  const child = net.spawnIn(ns, [
    process.execPath,
    '-e',
    CLIENT,
    address,
    PUBLIC,
    SAMPLE_IDS.contoso,
    SAMPLE_IDS.daemonApp,
    SAMPLE_SECRETS.daemonApp,
    header,
  ]);
  child.stdin!.end();
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const code = await within(
    new Promise<number | null>((resolve) => child.once('close', resolve)),
    `the client in ${ns}`,
  ).catch((e: Error) => {
    child.kill('SIGKILL');
    throw e;
  });
  assert.equal(code, 0, `the client in ${ns} failed: ${err}`);
  return JSON.parse(out) as Seen;
}

/** Every string in `value` that looks like a URL. */
function urls(value: unknown): string[] {
  if (typeof value === 'string') return /^https?:\/\//.test(value) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(urls);
  if (value && typeof value === 'object') return Object.values(value).flatMap(urls);
  return [];
}

describe('S150 S151 S152 tokenloop emulator --allow-remote --public-url, reached from another host', () => {
  let net: TestNetwork;
  let em: Started;
  /** What the client on the other host saw (one run, read by the tests below). */
  let seen: Seen;

  before(async () => {
    net = createTestNetwork(); // throws without CAP_NET_ADMIN: the test fails, it does not skip
    const child = net.spawnIn(
      net.server,
      [
        process.execPath,
        BIN,
        'emulator',
        '--host',
        '0.0.0.0',
        '--port',
        '8400', // a port of the test's own namespace: free whatever runs on the machine
        '--allow-remote',
        '--public-url',
        PUBLIC,
        '--json',
        '--data-dir',
        tempDir(),
      ],
      baseEnv(freshHome()),
    );
    em = await started(child, 'the emulator in the server namespace');
    seen = await client(net, net.client, `http://${net.serverAddress}:8400`);
  });

  after(async () => {
    if (em) await stop(em.child);
    net?.remove();
  });

  it('S150 warns on stderr that anyone reaching it gets test passwords and tokens; the url is the public one', () => {
    assert.equal(em.ready.url, PUBLIC);
    const warnings = em
      .stderr()
      .split('\n')
      .filter((l) => /WARNING: listening on 0\.0\.0\.0/.test(l));
    assert.equal(warnings.length, 1, em.stderr());
    assert.match(warnings[0]!, /published passwords.*tokens this emulator signs/);
  });

  it('S152 a client at another address gets discovery, v1 discovery, JWKS, tokens, device code and Graph links naming only the public URL', async () => {
    assert.equal(seen.v2.issuer, `${PUBLIC}/${SAMPLE_IDS.contoso}/v2.0`);
    assert.equal(seen.tokenIss, seen.v2.issuer, "a v2 client-credentials token's iss is the public issuer");
    // Graph's tokens are v1 tokens, from either endpoint: the v1 issuer, under the public URL too.
    assert.equal(seen.graphTokenIss, `${PUBLIC}/${SAMPLE_IDS.contoso}/`);
    assert.equal(seen.v1TokenIss, `${PUBLIC}/${SAMPLE_IDS.contoso}/`);
    assert.equal(seen.v1.issuer, `${PUBLIC}/${SAMPLE_IDS.contoso}/`);
    assert.ok(seen.jwksKeys > 0, 'the JWKS, fetched at the jwks_uri discovery names');
    assert.equal(seen.device, `${PUBLIC}/devicelogin`);
    const all = urls({ v2: seen.v2, v1: seen.v1, instance: seen.instance, graph: seen.graph });
    assert.ok(all.length >= 15, `found the URLs (${all.length})`);
    const foreign = all.filter(
      (u) =>
        !u.startsWith(`${PUBLIC}/`) &&
        !/^https:\/\/(graph\.microsoft\.com|login\.microsoftonline\.com|pas\.windows\.net)\b/.test(u),
    );
    assert.deepEqual(foreign, [], 'every URL the emulator builds starts with the public URL');
    assert.ok(String(seen.graph.context).startsWith(`${PUBLIC}/v1.0/`), String(seen.graph.context));
    assert.ok(String(seen.graph.next).startsWith(`${PUBLIC}/v1.0/users`), String(seen.graph.next));
    assert.equal(seen.v2.msgraph_host, 'emulator:8400');
  });

  it('S151 the admin API and the managed identity endpoints refuse the other host; on the emulator`s own loopback they answer with the public URL', async () => {
    assert.equal(seen.adminStatus, 403, 'admin API from another host');
    assert.equal(seen.msiStatus, 403, 'managed identity from another host');
    const local = await client(net, net.server, 'http://127.0.0.1:8400', SAMPLE_SECRETS.identityHeader);
    assert.equal(local.msi.status, 200, JSON.stringify(local.msi));
    assert.ok(String(local.msi.iss).startsWith(`${PUBLIC}/`), `managed identity token iss ${local.msi.iss}`);
    assert.equal(local.admin, PUBLIC);
  });

  it('S150 without --allow-remote it refuses, and the printed fix starts it (inside the test`s namespace)', async () => {
    const data = tempDir();
    const refused = await runCli(
      ['emulator', '--host', '0.0.0.0', '--port', '0', '--json', '--data-dir', data],
      baseEnv(freshHome()),
    );
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /host must be a loopback address .*got '0\.0\.0\.0'/);
    assert.equal(refused.stdout, '');
    const fix = /^\s+fix: .*`(tokenloop emulator [^`]+)`/m.exec(refused.stderr)?.[1];
    assert.ok(fix, `a fix naming the command: ${refused.stderr}`);
    assert.match(fix, /--allow-remote/);
    // The fix as a person pastes it, run in the server namespace so that 0.0.0.0 stays inside the test's network.
    const child = net.spawnIn(
      net.server,
      ['sh', '-c', `exec ${fix.replace(/^tokenloop /, '"$TL_NODE" "$TL_BIN" ')}`],
      { ...baseEnv(freshHome()), TL_NODE: process.execPath, TL_BIN: BIN },
    );
    const again = await started(child, 'the fixed command');
    assert.match(new URL(again.ready.url).hostname, /^127\.0\.0\.1$/, 'no public URL: the loopback address');
    assert.match(again.stderr(), /WARNING: listening on 0\.0\.0\.0/);
    assert.equal(await stop(child), 0);
  });
});
