// Full auth-code round trips/s (GET authorize with auto-login → 302 with a code → POST token with PKCE) at
// bounded concurrency, and the emulator's start-up time to ready: the CLI as a whole process (the first start
// creates keys in the data directory, later ones reuse them) and startEmulator() in-process.
// Measured, never asserted: the target is printed with whether it was met.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Agent, request } from 'undici';
import { SAMPLE_IDS, startEmulator } from '../packages/emulator/src/index.ts';
import { startChildServer } from './lib/child-server.ts';
import { median, percentile, table } from './lib/report.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = 8;
const CLI_STARTS = 10;
const TARGET_MS = 300;
const REDIRECT = 'http://127.0.0.1:9/';
const CLI = join(import.meta.dirname, '..', 'packages', 'cli', 'bin', 'tokenloop.js');

interface Trips {
  perSecond: number;
  done: number;
  failures: number;
  p50: number;
  p99: number;
}

async function roundTrips(): Promise<Trips> {
  const server = await startChildServer(join(import.meta.dirname, 'servers', 'emulator.ts'), {
    AUTO_LOGIN: 'alice',
  });
  const dispatcher = new Agent({ connections: CONCURRENCY * 2 });
  let done = 0;
  let failures = 0;
  let latencies: number[] = [];
  const one = async (): Promise<void> => {
    const t0 = performance.now();
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
    const location = a.headers.location;
    const code = typeof location === 'string' ? new URL(location).searchParams.get('code') : null;
    if (a.statusCode !== 302 || !code) {
      failures++;
      return;
    }
    const t = await request(`${server.url}/organizations/oauth2/v2.0/token`, {
      dispatcher,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: SAMPLE_IDS.publicApp,
        code,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      }).toString(),
    });
    const json = (await t.body.json()) as {
      access_token?: string;
      id_token?: string;
      refresh_token?: string;
    };
    if (t.statusCode !== 200 || !json.access_token || !json.id_token || !json.refresh_token) failures++;
    else {
      done++;
      latencies.push(performance.now() - t0);
    }
  };
  const run = async (until: number): Promise<void> => {
    const workers = Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) await one();
    });
    await Promise.all(workers);
  };
  try {
    await run(performance.now() + 2000);
    done = 0;
    latencies = [];
    const start = performance.now();
    await run(start + SECONDS * 1000);
    const perSecond = done / ((performance.now() - start) / 1000);
    latencies.sort((x, y) => x - y);
    return { perSecond, done, failures, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  } finally {
    await dispatcher.close();
    await server.stop();
  }
}

/** Milliseconds from spawning the CLI to its JSON line (checked: it carries the URL). */
function cliStartup(dataDir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [CLI, 'emulator', '--port', '0', '--json', '--data-dir', dataDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    let ready = false;
    createInterface({ input: child.stdout }).once('line', (line) => {
      ready = true;
      const ms = performance.now() - t0;
      let url: unknown;
      try {
        url = (JSON.parse(line) as { url?: unknown }).url;
      } catch {
        url = undefined;
      }
      child.once('exit', () => {
        clearTimeout(timer);
        if (typeof url === 'string' && url.startsWith('http')) resolve(ms);
        else
          reject(new Error(`CLI: expected a JSON line with url, got ${JSON.stringify(line.slice(0, 200))}`));
      });
      child.kill('SIGTERM');
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (ready) return;
      clearTimeout(timer);
      reject(new Error(`CLI exited with ${code} before it was ready`));
    });
  });
}

const trips = await roundTrips();
const dataDir = mkdtempSync(join(tmpdir(), 'tl-bench-'));
let first: number;
const later: number[] = [];
const inProcess: number[] = [];
try {
  first = await cliStartup(dataDir);
  for (let i = 0; i < CLI_STARTS; i++) later.push(await cliStartup(dataDir));
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const e = await startEmulator({ dataDir });
    inProcess.push(performance.now() - t0);
    await e.close();
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

table(
  `Auth-code round trips (authorize with auto-login → 302 → token with PKCE), ${CONCURRENCY} in flight, ${SECONDS} s after 2 s warm-up`,
  ['measure', 'value'],
  [
    ['round trips/s', trips.perSecond.toFixed(0)],
    ['round trips completed', trips.done],
    ['round-trip p50 ms', trips.p50.toFixed(1)],
    ['round-trip p99 ms', trips.p99.toFixed(1)],
    ['failed round trips', trips.failures],
  ],
);
const laterMedian = median(later);
const verdict = (ms: number): string => (ms < TARGET_MS ? 'met' : 'NOT met');
table(
  `Start-up time to ready (target < ${TARGET_MS} ms)`,
  ['how', 'ms', 'target'],
  [
    ['CLI, first start (creates keys), spawn → JSON line', first.toFixed(0), verdict(first)],
    [
      `CLI, later starts (stored keys), median of ${CLI_STARTS}`,
      laterMedian.toFixed(0),
      verdict(laterMedian),
    ],
    [
      `CLI, later starts, min … max`,
      `${Math.min(...later).toFixed(0)} … ${Math.max(...later).toFixed(0)}`,
      '',
    ],
    ['startEmulator() in-process, stored keys, median of 5', median(inProcess).toFixed(1), ''],
  ],
);
console.log(
  `BENCH ${JSON.stringify({
    bench: 'auth-code',
    concurrency: CONCURRENCY,
    roundTrips: trips,
    startupMs: { first, later, laterMedian, inProcess, inProcessMedian: median(inProcess) },
    targetMs: TARGET_MS,
    met: { first: first < TARGET_MS, later: laterMedian < TARGET_MS },
  })}`,
);
if (trips.failures) {
  console.error(`auth-code: ${trips.failures} round trips failed`);
  process.exitCode = 1;
}
