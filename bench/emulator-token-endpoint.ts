// Token endpoint, client_credentials, RS256 JWT access tokens (RSA-2048), 16 connections on loopback: the
// emulator vs panva's oidc-provider configured equivalently, each server in its own process, the load generator
// (autocannon) in this one. For context, the machine's raw RS256 signing rate on 1 and 2 threads.
// Measured, never asserted: the target is printed with whether it was met.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { SAMPLE_IDS, SAMPLE_SECRETS } from '../packages/emulator/src/index.ts';
import { startChildServer } from './lib/child-server.ts';
import { checkedJwt } from './lib/jwt-check.ts';
import { interleavedLoad, type LoadPlan } from './lib/load.ts';
import { table } from './lib/report.ts';
import { rs256Rate, rs256ThreadPoolRate } from './lib/rs256.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = 5;
const PLAN: LoadPlan = { connections: 16, warmupSeconds: 2, rounds: ROUNDS, roundSeconds: SECONDS / ROUNDS };
const TARGET = 1.5;

const before = {
  oneThread: await rs256Rate(1),
  twoThreads: await rs256Rate(2),
  threadPool: await rs256ThreadPoolRate(),
};

const servers = join(import.meta.dirname, 'servers');
const emulator = await startChildServer(join(servers, 'emulator.ts'));
const peer = await startChildServer(join(servers, 'oidc-provider.ts'));
try {
  const ours = {
    name: 'tokenloop emulator',
    url: `${emulator.url}/${SAMPLE_IDS.contoso}/oauth2/v2.0/token`,
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: SAMPLE_IDS.daemonApp,
      client_secret: SAMPLE_SECRETS.daemonApp,
      scope: 'https://graph.microsoft.com/.default',
    }).toString(),
  };
  const theirs = {
    name: 'oidc-provider',
    url: `${peer.url}/token`,
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'bench-client',
      client_secret: 'bench-client-secret-0001',
      resource: 'https://api.bench.example',
      scope: 'read',
    }).toString(),
  };
  const checks = [
    await checkedJwt(ours.url, ours.body, `${emulator.url}/${SAMPLE_IDS.contoso}/discovery/v2.0/keys`),
    await checkedJwt(theirs.url, theirs.body, `${peer.url}/jwks`),
  ];
  const results = await interleavedLoad([ours, theirs], PLAN);
  const after = { oneThread: await rs256Rate(1), twoThreads: await rs256Rate(2) };
  const [e, o] = results as [(typeof results)[0], (typeof results)[0]];
  const ratio = e.requestsPerSecond / o.requestsPerSecond;

  table(
    `Token endpoint, client_credentials → RS256 JWT access token, ${PLAN.connections} connections, ` +
      `${SECONDS} s each after ${PLAN.warmupSeconds} s warm-up, in ${ROUNDS} alternating rounds (${availableParallelism()} cores)`,
    ['server', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'requests', 'req/s by round', 'token check'],
    results.map((r, i) => [
      r.name,
      r.requestsPerSecond.toFixed(0),
      r.p50.toFixed(1),
      r.p99.toFixed(1),
      r.non2xx,
      r.errors,
      r.total,
      r.rounds.map((x) => x.toFixed(0)).join(' '),
      `${checks[i]!.status} ${checks[i]!.alg} ${checks[i]!.typ} RSA-${checks[i]!.modulusLength} sig ok`,
    ]),
  );
  console.log(
    `  emulator / oidc-provider = ${ratio.toFixed(2)}×   target ≥ ${TARGET}×: ${ratio >= TARGET ? 'met' : 'NOT met'}`,
  );
  table(
    'Machine: RS256 signatures/s with node:crypto (RSA-2048), before / after the load',
    ['how', 'before', 'after'],
    [
      ['1 thread', before.oneThread.toFixed(0), after.oneThread.toFixed(0)],
      ['2 threads (worker_threads)', before.twoThreads.toFixed(0), after.twoThreads.toFixed(0)],
      ['libuv thread pool (callback form, as the emulator signs)', before.threadPool.toFixed(0), '-'],
    ],
  );
  const ceiling = e.requestsPerSecond / ((before.twoThreads + after.twoThreads) / 2);
  console.log(`  emulator req/s = ${(ceiling * 100).toFixed(0)}% of the machine's 2-thread signing rate`);
  console.log(
    `BENCH ${JSON.stringify({
      bench: 'token-endpoint',
      plan: PLAN,
      emulator: e,
      oidcProvider: o,
      ratio,
      target: TARGET,
      met: ratio >= TARGET,
      rs256: { before, after },
    })}`,
  );
  if (e.non2xx || o.non2xx || e.errors || o.errors) {
    console.error('token-endpoint: some requests failed (non-2xx or errors); the figures are not comparable');
    process.exitCode = 1;
  }
} finally {
  await emulator.stop();
  await peer.stop();
}
