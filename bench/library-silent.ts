// Silent acquisition with a valid cached token: calls/s and per-call latency of acquireTokenSilent for tokenloop
// (memory store) and @azure/msal-node (its in-memory cache), both signed in to the same https emulator as the
// same user with the device code flow, so both caches hold the same thing: one account, a valid User.Read
// access token, an ID token and a refresh token. Then both caches get the same 10,000 further (synthetic)
// accounts with valid tokens — tokenloop through importAccount, msal-node through its cache's deserialize —
// and the same calls are measured again. Every measured call is for the real signed-in account and must be a
// cache hit returning the token the sign-in returned (else the bench fails). Calls are sequential (one caller),
// the clients alternate round by round; BENCH_SECONDS (default 6) is the measured time of the whole bench,
// warm-ups and filling the caches aside. Measured, never asserted: the target is printed with whether it was met.
import { createRequire } from 'node:module';
import { median, percentile, table } from './lib/report.ts';
import { msalCacheCounts, msalCacheWith, tokenloopExports } from './lib/library-synthetic.ts';
import { machine, signInBoth, USER_READ, watchdog } from './lib/library-setup.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const ROUNDS = 4;
const ACCOUNTS = 10_000;
const TARGET = 10;
const WARMUP_MS = 300;
/** A round lasts its time, but has at least this many calls (msal-node takes ~0.1 s a call at 10,001 accounts). */
const MIN_CALLS = 5;
/** tokenloop, msal-node, and tokenloop with the account a person typed (its username, looked up each call: S71). */
const TARGETS = 3;
/** Measured time: SECONDS in all, split between the two cache sizes and the targets. */
const ROUND_MS = (SECONDS * 1000) / (2 * TARGETS * ROUNDS);

watchdog(120_000, 'library-silent');

/** One measured client: `call` makes one acquireTokenSilent and says whether it was the expected cache hit. */
interface Target {
  name: string;
  call: () => Promise<boolean>;
}

interface Tally {
  calls: number;
  ms: number;
  latencies: number[];
  /** Calls that threw, were not served from the cache or returned another token. */
  bad: number;
  firstError?: string;
  rounds: number[];
}

interface Measured {
  name: string;
  accounts: number;
  callsPerSecond: number;
  p50us: number;
  p99us: number;
  calls: number;
  bad: number;
  roundsPerSecond: number[];
  firstError?: string;
}

function describe(err: unknown): string {
  const e = err as { name?: string; errorCode?: string; code?: string; message?: string };
  return `${e?.name ?? 'Error'} ${e?.errorCode ?? e?.code ?? ''}: ${String(e?.message ?? err).slice(0, 200)}`;
}

async function round(t: Target, ms: number, tally: Tally): Promise<void> {
  const start = performance.now();
  const end = start + ms;
  let at = start;
  let calls = 0;
  while (at < end || calls < MIN_CALLS) {
    let good = false;
    try {
      good = await t.call();
    } catch (err) {
      tally.firstError ??= describe(err);
    }
    const now = performance.now();
    tally.latencies.push(now - at);
    at = now;
    calls++;
    if (!good) tally.bad++;
  }
  tally.calls += calls;
  tally.ms += at - start;
  tally.rounds.push(calls / ((at - start) / 1000));
}

/** Warm-up, then ROUNDS measured rounds per target, alternating targets (A B C A B C …). */
async function measure(targets: Target[], accounts: number, roundMs: number): Promise<Measured[]> {
  const tallies = targets.map((): Tally => ({ calls: 0, ms: 0, latencies: [], bad: 0, rounds: [] }));
  for (const [i, t] of targets.entries()) {
    const warm: Tally = { calls: 0, ms: 0, latencies: [], bad: 0, rounds: [] };
    await round(t, WARMUP_MS, warm);
    tallies[i]!.bad += warm.bad;
    if (warm.firstError) tallies[i]!.firstError = warm.firstError;
  }
  for (let r = 0; r < ROUNDS; r++)
    for (const [i, t] of targets.entries()) await round(t, roundMs, tallies[i]!);
  return targets.map((t, i) => {
    const tally = tallies[i]!;
    const sorted = tally.latencies.sort((a, b) => a - b);
    return {
      name: t.name,
      accounts,
      callsPerSecond: tally.calls / (tally.ms / 1000),
      p50us: percentile(sorted, 50) * 1000,
      p99us: percentile(sorted, 99) * 1000,
      calls: tally.calls,
      bad: tally.bad,
      roundsPerSecond: tally.rounds,
      ...(tally.firstError ? { firstError: tally.firstError } : {}),
    };
  });
}

const host = machine();
const s = await signInBoth();
const results: Measured[] = [];
const fill = { tokenloopMs: 0, msalMs: 0, msalCache: {} as Record<string, number>, tokenloopAccounts: 0 };
try {
  const tlExpected = s.tlToken.accessToken;
  const msalExpected = s.msalToken.accessToken;
  const targets: Target[] = [
    {
      name: 'tokenloop',
      call: async () => {
        const r = await s.tokenloop.acquireTokenSilent({ account: s.tlAccount, scopes: [USER_READ] });
        return r.fromCache && r.accessToken === tlExpected;
      },
    },
    {
      name: '@azure/msal-node',
      call: async () => {
        const r = await s.msal.acquireTokenSilent({ account: s.msalAccount, scopes: [USER_READ] });
        return r.fromCache && r.accessToken === msalExpected;
      },
    },
    {
      name: 'tokenloop, account typed as username',
      call: async () => {
        // S70/S71: a typed name is looked up first (silent calls take the account itself or its homeAccountId).
        const account = await s.tokenloop.findAccountByTypedName(s.tlAccount.username!);
        const r = await s.tokenloop.acquireTokenSilent({ account, scopes: [USER_READ] });
        return r.fromCache && r.accessToken === tlExpected;
      },
    },
  ];
  results.push(...(await measure(targets, 1, ROUND_MS)));

  // 10,000 more accounts in both caches, modelled on the real one (same tenant, client, scopes and expiry).
  let t0 = performance.now();
  const exports = tokenloopExports(await s.tokenloop.exportAccount(s.tlAccount), ACCOUNTS);
  for (const text of exports) await s.tokenloop.importAccount(text);
  fill.tokenloopMs = performance.now() - t0;
  fill.tokenloopAccounts = (await s.tokenloop.getAccounts()).length;
  t0 = performance.now();
  const json = msalCacheWith(s.msal.getTokenCache().serialize(), ACCOUNTS);
  s.msal.getTokenCache().deserialize(json);
  fill.msalMs = performance.now() - t0;
  fill.msalCache = msalCacheCounts(s.msal.getTokenCache().serialize());
  // (Counted from the serialized cache: msal-node's getAllAccounts() takes minutes at this size.)
  const msalAccounts = fill.msalCache.Account ?? 0;
  if (fill.tokenloopAccounts !== ACCOUNTS + 1 || msalAccounts !== ACCOUNTS + 1)
    throw new Error(
      `expected ${ACCOUNTS + 1} accounts in each cache, got tokenloop ${fill.tokenloopAccounts}, msal ${msalAccounts}`,
    );
  results.push(...(await measure(targets, ACCOUNTS + 1, ROUND_MS)));
} finally {
  await s.close();
}

const find = (name: string, accounts: number) =>
  results.find((r) => r.name === name && r.accounts === accounts)!;
const [tl1, ms1, tlN, msN] = [
  find('tokenloop', 1),
  find('@azure/msal-node', 1),
  find('tokenloop', ACCOUNTS + 1),
  find('@azure/msal-node', ACCOUNTS + 1),
];
const ratio1 = tl1.callsPerSecond / ms1.callsPerSecond;
const ratioN = tlN.callsPerSecond / msN.callsPerSecond;
const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

table(
  `acquireTokenSilent, valid cached User.Read token of the signed-in account, one caller (sequential calls), ` +
    `${ROUNDS} alternating rounds of ${(ROUND_MS / 1000).toFixed(2)} s per client and cache size`,
  ['client', 'accounts', 'calls/s', 'p50 µs', 'p99 µs', 'calls', 'calls/s by round', 'not a hit'],
  results.map((r) => [
    r.name,
    r.accounts,
    fmt(r.callsPerSecond),
    fmt(r.p50us),
    fmt(r.p99us),
    r.calls,
    r.roundsPerSecond.map(fmt).join(' '),
    r.bad,
  ]),
);
table(
  'Side by side: 1 account vs 10,001 accounts in the cache',
  [
    'client',
    'calls/s @1',
    `calls/s @${ACCOUNTS + 1}`,
    'p50 µs @1',
    `p50 µs @${ACCOUNTS + 1}`,
    'p99 µs @1',
    `p99 µs @${ACCOUNTS + 1}`,
    'p50 ×',
  ],
  ['tokenloop', '@azure/msal-node', 'tokenloop, account typed as username'].map((name) => {
    const [a, b] = [find(name, 1), find(name, ACCOUNTS + 1)];
    return [
      name,
      fmt(a.callsPerSecond),
      fmt(b.callsPerSecond),
      fmt(a.p50us),
      fmt(b.p50us),
      fmt(a.p99us),
      fmt(b.p99us),
      `${(b.p50us / a.p50us).toFixed(2)}×`,
    ];
  }),
);
console.log(
  `  tokenloop / msal-node calls/s: 1 account ${ratio1.toFixed(1)}×, ${ACCOUNTS + 1} accounts ${ratioN.toFixed(1)}×` +
    `   target ≥ ${TARGET}×: ${ratio1 >= TARGET && ratioN >= TARGET ? 'met' : 'NOT met'}` +
    ` (1 account ${ratio1 >= TARGET ? 'met' : 'NOT met'}, ${ACCOUNTS + 1} ${ratioN >= TARGET ? 'met' : 'NOT met'})`,
);
console.log(
  `  tokenloop latency with ${ACCOUNTS + 1} accounts vs 1: p50 ${(tlN.p50us / tl1.p50us).toFixed(2)}×, ` +
    `p99 ${(tlN.p99us / tl1.p99us).toFixed(2)}×, calls/s ${(tlN.callsPerSecond / tl1.callsPerSecond).toFixed(2)}× ` +
    `(median round ${fmt(median(tl1.roundsPerSecond))} → ${fmt(median(tlN.roundsPerSecond))} calls/s)`,
);
table(
  `Filling the caches with ${ACCOUNTS} synthetic accounts (not timed in the comparison)`,
  ['client', 'how', 'ms', 'cache holds'],
  [
    [
      'tokenloop',
      `importAccount × ${ACCOUNTS}`,
      fill.tokenloopMs.toFixed(0),
      `${fill.tokenloopAccounts} accounts`,
    ],
    [
      '@azure/msal-node',
      'getTokenCache().deserialize()',
      fill.msalMs.toFixed(0),
      Object.entries(fill.msalCache)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    ],
  ],
);
table(
  'Machine',
  ['what', 'value'],
  [
    ['Node', host.node],
    ['CPU', `${host.cpu} (${host.cores} cores)`],
    [
      '@azure/msal-node',
      (createRequire(import.meta.url)('@azure/msal-node/package.json') as { version: string }).version,
    ],
  ],
);
console.log(
  `BENCH ${JSON.stringify({
    bench: 'library-silent',
    node: host.node,
    cpu: host.cpu,
    cores: host.cores,
    seconds: SECONDS,
    rounds: ROUNDS,
    accounts: ACCOUNTS + 1,
    results,
    ratio: { oneAccount: ratio1, manyAccounts: ratioN },
    tokenloopFlatness: { p50: tlN.p50us / tl1.p50us, p99: tlN.p99us / tl1.p99us },
    targetRatio: TARGET,
    met: { oneAccount: ratio1 >= TARGET, manyAccounts: ratioN >= TARGET },
    fillMs: { tokenloop: fill.tokenloopMs, msal: fill.msalMs },
  })}`,
);
const bad = results.filter((r) => r.bad > 0);
if (bad.length) {
  for (const r of bad)
    console.error(
      `library-silent: ${r.name} @${r.accounts}: ${r.bad} calls were not a cache hit of the signed-in token` +
        (r.firstError ? ` (first error: ${r.firstError})` : ''),
    );
  for (const line of s.msalLog.slice(0, 10)) console.error(`  msal-node: ${line}`);
  process.exitCode = 1;
}
