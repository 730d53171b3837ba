// getToken as the Azure SDK calls it, for a valid cached token of what `tokenloop login` signed in, side by side:
//  - tokenloop/azure's createCliCredential (in this process: reads the profile and the encrypted token cache on
//    every call, as it does to see a new login at once),
//  - tokenloop/azure's createTokenCredential over a client on the same encrypted cache file (made once),
//  - the AzureCliCredential pattern: spawn a command per call and parse its JSON, here
//    `tokenloop token --resource https://graph.microsoft.com --format json` (as `az account get-access-token`).
// One emulator, one login (the real command, TOKENLOOP_HOME in a temporary folder); every measured call must
// return the token the command printed first, else the bench fails. The three alternate round by round; medians
// per call. Measured, never asserted. BENCH_SECONDS (default 6) is the in-process measuring time in all.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAMPLE_IDS, startEmulator } from '@tokenloop/emulator';
import { createTokenClient, encryptedFileStore } from 'tokenloop';
import { createCliCredential, createTokenCredential } from 'tokenloop/azure';
import { cliCachePath, cliPaths } from 'tokenloop/cli-state';
import { machine, watchdog } from './lib/library-setup.ts';
import { median, percentile, table } from './lib/report.ts';
import { runCli, runCliOk } from './lib/run-cli.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const ROUNDS = 5;
/** Spawned commands per round (each takes a Node start-up). */
const SPAWNS_PER_ROUND = Math.max(2, Number(process.env.BENCH_AZURE_SPAWNS ?? 4));
const GRAPH = 'https://graph.microsoft.com/.default';
const BIN = join(import.meta.dirname, '..', 'packages', 'cli', 'bin', 'tokenloop.js');
watchdog(140_000, 'azure-credential');

const work = mkdtempSync(join(tmpdir(), 'tl-bench-azure-'));
process.once('exit', () => rmSync(work, { recursive: true, force: true }));
const emulator = await startEmulator({ autoLogin: 'alice', settings: { deviceCodeInterval: 1 } });
const env: NodeJS.ProcessEnv = { ...process.env, TOKENLOOP_HOME: join(work, 'home') };
for (const k of Object.keys(env)) if (/^(AZURE_|TOKENLOOP_(?!HOME))/.test(k)) delete env[k];

const TOKEN_ARGS = ['token', '--resource', 'https://graph.microsoft.com', '--format', 'json'];
await runCliOk(
  BIN,
  [
    'login',
    '--device',
    '--authority',
    `${emulator.url}/${SAMPLE_IDS.contoso}`,
    '--client-id',
    SAMPLE_IDS.publicApp,
  ],
  env,
);
const first = await runCliOk(BIN, TOKEN_ARGS, env);
const expected = (JSON.parse(first.stdout) as { accessToken: string }).accessToken;

const cliCredential = createCliCredential({ env });
const client = createTokenClient({
  authority: `${emulator.url}/${SAMPLE_IDS.contoso}`,
  clientId: SAMPLE_IDS.publicApp,
  cache: encryptedFileStore({ path: cliCachePath(cliPaths(env)) }),
});
const clientCredential = createTokenCredential(client);

interface Method {
  name: string;
  /** One getToken; resolves with the token it gave. */
  call(): Promise<string>;
  times: number[];
  bad: number;
}
const spawnCall = async () => {
  const r = await runCli(BIN, TOKEN_ARGS, env);
  if (r.status !== 0) throw new Error(`tokenloop token: exit ${r.status}: ${r.stderr.slice(0, 200)}`);
  const out = JSON.parse(r.stdout) as { accessToken: string; expires_on: number };
  if (!Number.isFinite(out.expires_on)) throw new Error('no expires_on');
  return out.accessToken;
};
const methods: Method[] = [
  {
    name: 'createCliCredential().getToken',
    call: async () => (await cliCredential.getToken(GRAPH)).token,
    times: [],
    bad: 0,
  },
  {
    name: 'createTokenCredential(client).getToken',
    call: async () => (await clientCredential.getToken(GRAPH)).token,
    times: [],
    bad: 0,
  },
  { name: 'spawn `tokenloop token --format json`', call: spawnCall, times: [], bad: 0 },
];
const [cliMethod, clientMethod, spawnMethod] = methods as [Method, Method, Method];

async function timed(m: Method): Promise<void> {
  const started = performance.now();
  const token = await m.call();
  m.times.push(performance.now() - started);
  if (token !== expected) m.bad++;
}

// Warm-up: each once (file-system caches, the keyring or key file, module loading).
for (const m of methods) await timed(m);
for (const m of methods) {
  m.times.length = 0;
  m.bad = 0;
}
const roundMs = (SECONDS * 1000) / (2 * ROUNDS);
for (let r = 0; r < ROUNDS; r++) {
  for (const m of [cliMethod, clientMethod]) {
    const end = performance.now() + roundMs;
    do await timed(m);
    while (performance.now() < end);
  }
  for (let i = 0; i < SPAWNS_PER_ROUND; i++) await timed(spawnMethod);
}
const stats = (m: Method) => {
  const sorted = [...m.times].sort((a, b) => a - b);
  return { median: median(m.times), p90: percentile(sorted, 90), min: sorted[0]!, calls: m.times.length };
};
const spawnMedian = median(spawnMethod.times);
const host = machine();
table(
  `getToken for a valid cached token of \`tokenloop login\`, ${ROUNDS} alternating rounds — Node ${host.node}, ${host.cores} cores`,
  ['how', 'median ms', 'p90 ms', 'min ms', 'calls', 'vs spawn', 'wrong token'],
  methods.map((m) => {
    const s = stats(m);
    return [
      m.name,
      s.median.toFixed(3),
      s.p90.toFixed(3),
      s.min.toFixed(3),
      s.calls,
      `${(spawnMedian / s.median).toFixed(0)}× faster`.replace(/^1× faster$/, '1×'),
      m.bad,
    ];
  }),
);
console.log(
  `\n  the CLI-login credential in-process: median ${stats(cliMethod).median.toFixed(3)} ms a call; spawning the command per call (AzureCliCredential's way): ${spawnMedian.toFixed(1)} ms`,
);
console.log(
  `BENCH ${JSON.stringify({
    bench: 'azure-credential',
    node: host.node,
    cores: host.cores,
    rounds: ROUNDS,
    cli_credential_median_ms: Number(stats(cliMethod).median.toFixed(4)),
    client_credential_median_ms: Number(stats(clientMethod).median.toFixed(4)),
    spawn_median_ms: Number(spawnMedian.toFixed(2)),
    calls: {
      cliCredential: cliMethod.times.length,
      clientCredential: clientMethod.times.length,
      spawn: spawnMethod.times.length,
    },
    speedup_vs_spawn: Number((spawnMedian / stats(cliMethod).median).toFixed(1)),
  })}`,
);
await cliCredential.close();
await clientCredential.close();
await emulator.close();
const bad = methods.filter((m) => m.bad > 0);
if (bad.length) {
  for (const m of bad) console.error(`azure-credential: ${m.name}: ${m.bad} calls returned another token`);
  process.exitCode = 1;
}
