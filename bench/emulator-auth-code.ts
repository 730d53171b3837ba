// Full auth-code round trips/s (authorize with auto-login → 302 with code → token with PKCE) and the
// emulator's start-up time to ready: the CLI (first start creates keys; later starts reuse them) and in-process.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Agent, request } from 'undici';
import { SAMPLE_IDS, startEmulator } from '../packages/emulator/src/index.ts';
import { startChildServer } from './lib/child-server.ts';
import { median, table } from './lib/report.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = 8;
const REDIRECT = 'http://127.0.0.1:9/';
const CLI = join(import.meta.dirname, '..', 'packages', 'cli', 'bin', 'tokenloop.js');

async function roundTrips(): Promise<{ perSecond: number; failures: number }> {
  const server = await startChildServer(join(import.meta.dirname, 'servers', 'emulator.ts'), {
    AUTO_LOGIN: 'alice',
  });
  const dispatcher = new Agent({ connections: CONCURRENCY * 2 });
  let done = 0;
  let failures = 0;
  const one = async () => {
    const verifier = randomBytes(32).toString('base64url');
    const authorize = new URL(`${server.url}/organizations/oauth2/v2.0/authorize`);
    authorize.search = new URLSearchParams({
      client_id: SAMPLE_IDS.publicApp,
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'openid profile offline_access User.Read',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      state: 's',
    }).toString();
    const a = await request(authorize, { dispatcher });
    await a.body.dump();
    const code = new URL(String(a.headers.location)).searchParams.get('code');
    const t = await request(`${server.url}/organizations/oauth2/v2.0/token`, {
      dispatcher,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: SAMPLE_IDS.publicApp,
        code: code ?? '',
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      }).toString(),
    });
    await t.body.dump();
    if (a.statusCode !== 302 || t.statusCode !== 200) failures++;
    else done++;
  };
  const run = async (until: number) => {
    const workers = Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) await one();
    });
    await Promise.all(workers);
  };
  await run(performance.now() + 2000);
  done = 0;
  const start = performance.now();
  await run(start + SECONDS * 1000);
  const perSecond = done / ((performance.now() - start) / 1000);
  await dispatcher.close();
  await server.stop();
  return { perSecond, failures };
}

function cliStartup(dataDir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [CLI, 'emulator', '--port', '0', '--json', '--data-dir', dataDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    createInterface({ input: child.stdout }).once('line', () => {
      const ms = performance.now() - t0;
      child.once('exit', () => resolve(ms));
      child.kill('SIGTERM');
    });
    child.once('error', reject);
  });
}

const trips = await roundTrips();
const dataDir = mkdtempSync(join(tmpdir(), 'tl-bench-'));
const first = await cliStartup(dataDir);
const later: number[] = [];
for (let i = 0; i < 10; i++) later.push(await cliStartup(dataDir));
const inProcess: number[] = [];
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  const e = await startEmulator({ dataDir });
  inProcess.push(performance.now() - t0);
  await e.close();
}

table(
  `Auth-code round trips (authorize with auto-login → token with PKCE), ${CONCURRENCY} in flight, ${SECONDS} s`,
  ['measure', 'value'],
  [
    ['round trips/s', trips.perSecond.toFixed(0)],
    ['failed round trips', trips.failures],
  ],
);
table(
  'Start-up time to ready',
  ['how', 'ms'],
  [
    ['CLI, first start (creates keys), whole process', first.toFixed(0)],
    ['CLI, later starts (median of 10), whole process', median(later).toFixed(0)],
    ['startEmulator() in-process, stored keys (median of 5)', median(inProcess).toFixed(0)],
  ],
);
console.log(`  target < 300 ms to ready: ${median(later) < 300 ? 'met' : 'NOT met'} (CLI, stored keys)`);
console.log(
  `BENCH ${JSON.stringify({ bench: 'auth-code', roundTripsPerSecond: trips.perSecond, failures: trips.failures, startupMs: { first, laterMedian: median(later), inProcessMedian: median(inProcess) } })}`,
);
if (trips.failures) process.exit(1);
