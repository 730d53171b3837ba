// Concurrent refresh: 100 callers ask for the same user's token at once while the cached access token has
// really expired; how many token requests reach the server? tokenloop (memory store) and @azure/msal-node, both
// signed in to the same https emulator as the same user (device code), the emulator issuing 2-second access
// tokens; before each run the bench waits until both cached tokens have expired (checked in the caches
// themselves), then fires the 100 calls in one go and counts the emulator's refresh_token requests for the
// client (resetStats before each run). Repeated 3 times, the order of the clients alternating. Every caller must
// get a new token (else the bench fails). Measured, never asserted.
import { CLIENT_ID, machine, signInBoth, USER_READ, watchdog } from './lib/library-setup.ts';
import { percentile, table } from './lib/report.ts';

const CALLERS = 100;
const REPEATS = 3;
const LIFETIME_S = 2;
const MAX_WAIT_MS = (LIFETIME_S + 3) * 1000;

watchdog(120_000, 'library-refresh');

interface Run {
  repeat: number;
  client: string;
  /** refresh_token requests the emulator received for the client during the run. */
  refreshRequests: number;
  /** Token requests of any other grant during the run. */
  otherRequests: number;
  elapsedMs: number;
  /** When each caller got its answer, ms after the calls were fired. */
  p50Ms: number;
  maxMs: number;
  /** How long before the run the cached token had expired. */
  expiredAgoMs: number;
  ok: number;
  failed: number;
  /** Callers whose token is the one cached before the run (not refreshed). */
  stale: number;
  distinctTokens: number;
  notFromCache: number;
  firstError?: string;
}

interface Client {
  name: string;
  /** Expiry of the access token now cached (epoch ms), read from the cache itself. */
  cachedExpiry(): Promise<number>;
  silent(): Promise<{ accessToken: string; fromCache: boolean; expiresOn: Date | null | undefined }>;
  lastToken: string;
}

function describe(err: unknown): string {
  const e = err as { name?: string; errorCode?: string; code?: string; message?: string };
  return `${e?.name ?? 'Error'} ${e?.errorCode ?? e?.code ?? ''}: ${String(e?.message ?? err).slice(0, 200)}`;
}

const host = machine();
const s = await signInBoth({ accessTokenLifetime: LIFETIME_S });
const runs: Run[] = [];
try {
  const clients: Client[] = [
    {
      name: 'tokenloop',
      lastToken: s.tlToken.accessToken,
      async cachedExpiry() {
        const exported = JSON.parse(await s.tokenloop.exportAccount(s.tlAccount)) as {
          record: { accessTokens: { expiresAt?: number }[] };
        };
        return Math.max(...exported.record.accessTokens.map((t) => t.expiresAt ?? Infinity));
      },
      silent: () => s.tokenloop.acquireTokenSilent({ account: s.tlAccount, scopes: [USER_READ] }),
    },
    {
      name: '@azure/msal-node',
      lastToken: s.msalToken.accessToken,
      async cachedExpiry() {
        const cache = JSON.parse(s.msal.getTokenCache().serialize()) as {
          AccessToken: Record<string, { expires_on: string }>;
        };
        return Math.max(...Object.values(cache.AccessToken).map((t) => Number(t.expires_on) * 1000));
      },
      silent: () => s.msal.acquireTokenSilent({ account: s.msalAccount, scopes: [USER_READ] }),
    },
  ];

  for (let repeat = 1; repeat <= REPEATS; repeat++) {
    // Wait until both cached access tokens have expired (genuinely: past their expiry, not just due).
    const expiries = await Promise.all(clients.map((c) => c.cachedExpiry()));
    const waitMs = Math.max(...expiries) + 100 - Date.now();
    if (waitMs > MAX_WAIT_MS) throw new Error(`a cached token expires in ${waitMs} ms, more than expected`);
    if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));

    const order = repeat % 2 ? clients : [...clients].reverse();
    for (const c of order) {
      const expiry = await c.cachedExpiry();
      const expiredAgoMs = Date.now() - expiry;
      if (expiredAgoMs <= 0) throw new Error(`${c.name}: the cached token has not expired yet`);
      s.emulator.resetStats();
      const t0 = performance.now();
      const done: number[] = [];
      const settled = await Promise.allSettled(
        Array.from({ length: CALLERS }, () =>
          c.silent().then((r) => {
            done.push(performance.now() - t0);
            return r;
          }),
        ),
      );
      const elapsedMs = performance.now() - t0;
      const requests = s.emulator.stats().token_requests;
      const refreshRequests = requests.refresh_token?.[CLIENT_ID] ?? 0;
      const allRequests = Object.values(requests).reduce(
        (sum, byClient) => sum + Object.values(byClient).reduce((a, b) => a + b, 0),
        0,
      );
      const fulfilled = settled.flatMap((x) => (x.status === 'fulfilled' ? [x.value] : []));
      const rejected = settled.flatMap((x) => (x.status === 'rejected' ? [x.reason as unknown] : []));
      const good = fulfilled.filter((r) => typeof r.accessToken === 'string' && r.accessToken.length > 0);
      const tokens = new Set(good.map((r) => r.accessToken));
      done.sort((a, b) => a - b);
      runs.push({
        repeat,
        client: c.name,
        refreshRequests,
        otherRequests: allRequests - refreshRequests,
        elapsedMs,
        p50Ms: percentile(done, 50),
        maxMs: done.at(-1) ?? 0,
        expiredAgoMs,
        ok: good.length,
        failed: CALLERS - good.length,
        stale: good.filter((r) => r.accessToken === c.lastToken).length,
        distinctTokens: tokens.size,
        notFromCache: good.filter((r) => !r.fromCache).length,
        ...(rejected.length ? { firstError: describe(rejected[0]) } : {}),
      });
      c.lastToken = good[0]?.accessToken ?? c.lastToken;
    }
  }
} finally {
  await s.close();
}

table(
  `${CALLERS} concurrent acquireTokenSilent calls (same account, User.Read) with an expired cached access token ` +
    `(${LIFETIME_S}-s tokens), ${REPEATS} repeats`,
  [
    'repeat',
    'client',
    'refresh requests',
    'other requests',
    'elapsed ms',
    'answer p50 ms',
    'expired ms ago',
    'callers ok',
    'stale',
    'distinct tokens',
    'fromCache=false',
  ],
  runs.map((r) => [
    r.repeat,
    r.client,
    r.refreshRequests,
    r.otherRequests,
    r.elapsedMs.toFixed(1),
    r.p50Ms.toFixed(1),
    r.expiredAgoMs.toFixed(0),
    `${r.ok}/${CALLERS}`,
    r.stale,
    r.distinctTokens,
    r.notFromCache,
  ]),
);
const summary = ['tokenloop', '@azure/msal-node'].map((name) => {
  const mine = runs.filter((r) => r.client === name);
  return {
    client: name,
    refreshRequests: mine.map((r) => r.refreshRequests),
    elapsedMs: mine.map((r) => r.elapsedMs),
  };
});
table(
  'Token requests per 100 concurrent callers',
  ['client', 'refresh requests by repeat', 'elapsed ms by repeat'],
  summary.map((x) => [x.client, x.refreshRequests.join(' '), x.elapsedMs.map((v) => v.toFixed(1)).join(' ')]),
);
console.log(
  '  (msal-node renews any token that expires within 300 s — its fixed tokenRenewalOffsetSeconds — so its' +
    ' 2-s tokens are stale as soon as cached; tokenloop renews at most half a lifetime ahead.)',
);
table(
  'Machine',
  ['what', 'value'],
  [
    ['Node', host.node],
    ['CPU', `${host.cpu} (${host.cores} cores)`],
  ],
);
console.log(
  `BENCH ${JSON.stringify({
    bench: 'library-refresh',
    node: host.node,
    cpu: host.cpu,
    cores: host.cores,
    callers: CALLERS,
    accessTokenLifetimeSeconds: LIFETIME_S,
    runs,
    summary,
  })}`,
);
const bad = runs.filter((r) => r.failed > 0 || r.stale > 0);
if (bad.length) {
  for (const r of bad)
    console.error(
      `library-refresh: repeat ${r.repeat} ${r.client}: ${r.failed} callers got no token, ${r.stale} got the expired one` +
        (r.firstError ? ` (first error: ${r.firstError})` : ''),
    );
  for (const line of s.msalLog.slice(0, 10)) console.error(`  msal-node: ${line}`);
  process.exitCode = 1;
}
