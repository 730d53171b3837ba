// Protected API requests/s: tokenloop's requireBearer vs the same route verifying with bare jose jwtVerify and
// a cached JWKS (bench/servers/web-api.ts, in its own process), the same valid access token from the emulator,
// alternating rounds under autocannon. Target: tokenloop's overhead ≤ 10 %. Then full sign-in round trips/s
// through an app built on @tokenloop/web and the emulator (auto-login): login → authorize → callback → session.
import { SAMPLE_IDS, startEmulator } from '@tokenloop/emulator';
import { createWebAuth } from '@tokenloop/web';
import { createTokenClient } from 'tokenloop';
import { startChildServer } from './lib/child-server.ts';
import { interleavedLoad } from './lib/load.ts';
import { machine, watchdog } from './lib/library-setup.ts';
import { table } from './lib/report.ts';

watchdog(140_000, 'web-bearer');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const emulator = await startEmulator({ autoLogin: 'alice', settings: { deviceCodeInterval: 1 } });
const authority = `${emulator.url}/${SAMPLE_IDS.contoso}`;
const apiUri = `api://${SAMPLE_IDS.apiApp}`;
const user = createTokenClient({ authority, clientId: SAMPLE_IDS.publicApp });
const { accessToken } = await user.loginWithDeviceCode({
  scopes: [`${apiUri}/access_as_user`],
  onPrompt: () => {},
});

const server = await startChildServer(new URL('./servers/web-api.ts', import.meta.url).pathname, {
  AUTHORITY: authority,
  AUDIENCE: `${SAMPLE_IDS.apiApp},${apiUri}`,
  ISSUER: `${authority}/v2.0`,
  JWKS_URL: `${authority}/discovery/v2.0/keys`,
});
const headers = { authorization: `Bearer ${accessToken}` };
for (const path of ['/tokenloop', '/jose']) {
  const res = await fetch(`${server.url}${path}`, { method: 'POST', headers });
  if (res.status !== 200) throw new Error(`${path} refused the valid token: HTTP ${res.status}`);
}
const results = await interleavedLoad(
  [
    { name: 'tokenloop requireBearer', url: `${server.url}/tokenloop`, body: '', headers },
    { name: 'bare jose jwtVerify + cached JWKS', url: `${server.url}/jose`, body: '', headers },
  ],
  { connections: 16, warmupSeconds: 1, rounds: 10, roundSeconds: Math.max(0.5, SECONDS / 8) },
);
await server.stop();
for (const r of results)
  if (r.non2xx || r.errors) throw new Error(`${r.name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
const [tl, jose] = results as [(typeof results)[0], (typeof results)[0]];
// Rounds alternate (tokenloop, jose, tokenloop, …): each adjacent pair saw the same machine conditions, so
// the overhead is the median of the per-pair ratios; the ratio of the totals is printed beside it.
const pairRatios = tl.rounds.map((t, i) => jose.rounds[i]! / t).sort((a, b) => a - b);
const overhead =
  ((pairRatios[Math.floor(pairRatios.length / 2)]! + pairRatios[Math.ceil(pairRatios.length / 2) - 1]!) / 2 -
    1) *
  100;
const overheadOfTotals = (jose.requestsPerSecond / tl.requestsPerSecond - 1) * 100;
const m = machine();
table(
  `Protected API, valid token, 16 connections — Node ${m.node}, ${m.cores} cores`,
  ['route', 'req/s', 'p50 ms', 'p99 ms', 'rounds req/s'],
  results.map((r) => [
    r.name,
    Math.round(r.requestsPerSecond),
    r.p50,
    r.p99,
    r.rounds.map((x) => Math.round(x)).join(' / '),
  ]),
);
console.log(
  `\n  target: tokenloop overhead ≤ 10 % — ${overhead <= 10 ? 'met' : 'NOT met'} (${overhead.toFixed(1)} %, median of ${pairRatios.length} paired rounds; ${overheadOfTotals.toFixed(1)} % from the totals)`,
);

// Full sign-in round trips through the web middleware and the emulator (auto-login: no pages), sequential.
const auth = createWebAuth({
  authority,
  clientId: SAMPLE_IDS.webApp,
  clientSecret: 'tl-sample-web-secret-0001',
  baseUrl: 'http://127.0.0.1:3000',
});
const until = Date.now() + Math.max(1000, (SECONDS / 3) * 1000);
let signIns = 0;
const started = performance.now();
while (Date.now() < until) {
  const login = await auth.handle({
    method: 'GET',
    url: new URL('http://127.0.0.1:3000/auth/login'),
    cookieHeader: undefined,
  });
  const tx = String(login!.headers['set-cookie']).split(';')[0]!;
  const authorize = await fetch(String(login!.headers.location), { redirect: 'manual' });
  const callback = new URL(authorize.headers.get('location')!);
  const done = await auth.handle({ method: 'GET', url: callback, cookieHeader: tx });
  if (done?.status !== 303) throw new Error(`sign-in ended with HTTP ${done?.status}`);
  signIns++;
}
const perSecond = signIns / ((performance.now() - started) / 1000);
table(
  'Full sign-in round trips (login → authorize → code redemption → session), one at a time',
  ['', 'sign-ins/s', 'count'],
  [['@tokenloop/web + emulator', perSecond.toFixed(1), signIns]],
);
await emulator.close();
console.log(
  `BENCH ${JSON.stringify({
    bench: 'web-bearer',
    tokenloop_rps: Math.round(tl.requestsPerSecond),
    jose_rps: Math.round(jose.requestsPerSecond),
    overhead_percent: Number(overhead.toFixed(1)),
    overhead_percent_of_totals: Number(overheadOfTotals.toFixed(1)),
    target_met: overhead <= 10,
    sign_ins_per_second: Number(perSecond.toFixed(1)),
  })}`,
);
