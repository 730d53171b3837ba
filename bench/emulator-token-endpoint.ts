// Token endpoint, client_credentials, RS256 JWT access tokens, 16 connections on loopback:
// the emulator vs panva's oidc-provider configured equivalently. Also the machine's raw RS256 signing rate.
import { generateKeyPairSync, sign } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { SAMPLE_IDS, SAMPLE_SECRETS } from '../packages/emulator/src/index.ts';
import { startChildServer } from './lib/child-server.ts';
import { postLoad } from './lib/load.ts';
import { table } from './lib/report.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 16;

async function signingRates(): Promise<{ oneThread: number; threadPool: number }> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const data = Buffer.alloc(600, 1);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 1000) {
    sign('sha256', data, privateKey);
    n++;
  }
  const oneThread = n / ((performance.now() - t0) / 1000);
  let done = 0;
  const t1 = performance.now();
  await new Promise<void>((resolve) => {
    const launch = () => {
      if (performance.now() - t1 > 1500) {
        if (--inFlight === 0) resolve();
        return;
      }
      sign('sha256', data, privateKey, () => {
        done++;
        launch();
      });
    };
    let inFlight = 32;
    for (let i = 0; i < 32; i++) launch();
  });
  return { oneThread, threadPool: done / ((performance.now() - t1) / 1000) };
}

async function checkedJwt(url: string, body: string): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  const json = (await res.json()) as { access_token?: string };
  const header = json.access_token
    ? JSON.parse(Buffer.from(json.access_token.split('.')[0]!, 'base64url').toString())
    : {};
  if (res.status !== 200 || header.alg !== 'RS256')
    throw new Error(`${url}: expected 200 with an RS256 JWT, got ${res.status}`);
}

const rates = await signingRates();
const emulator = await startChildServer(join(import.meta.dirname, 'servers', 'emulator.ts'));
const emulatorUrl = `${emulator.url}/${SAMPLE_IDS.contoso}/oauth2/v2.0/token`;
const emulatorBody = new URLSearchParams({
  grant_type: 'client_credentials',
  client_id: SAMPLE_IDS.daemonApp,
  client_secret: SAMPLE_SECRETS.daemonApp,
  scope: 'https://graph.microsoft.com/.default',
}).toString();
await checkedJwt(emulatorUrl, emulatorBody);
const ours = await postLoad(emulatorUrl, emulatorBody, CONNECTIONS, SECONDS);
await emulator.stop();

const peer = await startChildServer(join(import.meta.dirname, 'servers', 'oidc-provider.ts'));
const peerUrl = `${peer.url}/token`;
const peerBody = new URLSearchParams({
  grant_type: 'client_credentials',
  client_id: 'bench-client',
  client_secret: 'bench-client-secret-0001',
  resource: 'https://api.bench.example',
  scope: 'read',
}).toString();
await checkedJwt(peerUrl, peerBody);
const theirs = await postLoad(peerUrl, peerBody, CONNECTIONS, SECONDS);
await peer.stop();

const ratio = ours.requestsPerSecond / theirs.requestsPerSecond;
table(
  `Token endpoint, client_credentials, RS256 JWT, ${CONNECTIONS} connections, ${SECONDS} s (${availableParallelism()} cores)`,
  ['server', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors'],
  [
    ['tokenloop emulator', ours.requestsPerSecond.toFixed(0), ours.p50, ours.p99, ours.non2xx, ours.errors],
    [
      'oidc-provider',
      theirs.requestsPerSecond.toFixed(0),
      theirs.p50,
      theirs.p99,
      theirs.non2xx,
      theirs.errors,
    ],
  ],
);
console.log(
  `  emulator / oidc-provider = ${ratio.toFixed(2)}×  (target ≥ 1.5×: ${ratio >= 1.5 ? 'met' : 'NOT met'})`,
);
console.log(
  `  machine RS256 signing: ${rates.oneThread.toFixed(0)}/s on one thread, ${rates.threadPool.toFixed(0)}/s on libuv's thread pool`,
);
console.log(
  `BENCH ${JSON.stringify({ bench: 'token-endpoint', emulator: ours, oidcProvider: theirs, ratio, rs256: rates })}`,
);
if (ours.non2xx || theirs.non2xx || ours.errors || theirs.errors) {
  console.error('token-endpoint: some requests failed; the figures above are not comparable');
  process.exit(1);
}
