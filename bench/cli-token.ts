// `tokenloop token` with a valid cached token, as a whole process (start-up included), beside `node -e 0` on
// the same machine and beside the equivalent msal-node script with its file cache (bench/lib/cli-msal-token.mjs).
// Both are signed in to one https emulator as the same user; every measured run must print the cached token.
// Runs alternate between the three commands; the median of RUNS (≥ 10) each is reported. Measured, never
// asserted: the target (≤ 1.5× node -e 0) is printed with whether it was met.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogLevel, PublicClientApplication } from '@azure/msal-node';
import { SAMPLE_IDS, startEmulator } from '@tokenloop/emulator';
import { trustingNetwork } from './lib/library-tls.ts';
import { machine, watchdog } from './lib/library-setup.ts';
import { median, percentile, table } from './lib/report.ts';

const RUNS = Math.max(10, Number(process.env.BENCH_CLI_RUNS ?? 15));
const TARGET = 1.5;
const BIN = join(import.meta.dirname, '..', 'packages', 'cli', 'bin', 'tokenloop.js');
const MSAL_SCRIPT = join(import.meta.dirname, 'lib', 'cli-msal-token.mjs');
watchdog(140_000, 'cli-token');

const work = mkdtempSync(join(tmpdir(), 'tl-bench-cli-'));
process.once('exit', () => rmSync(work, { recursive: true, force: true }));
const emulator = await startEmulator({
  https: true,
  dataDir: join(work, 'emulator'),
  autoLogin: 'alice',
  settings: { deviceCodeInterval: 1 },
});
const authority = `${emulator.url}/${SAMPLE_IDS.contoso}`;
const home = join(work, 'home');
const env: NodeJS.ProcessEnv = {
  ...process.env,
  TOKENLOOP_HOME: home,
  NODE_EXTRA_CA_CERTS: emulator.caCertFile!,
};
for (const k of ['TOKENLOOP_DEBUG', 'TOKENLOOP_PROFILE', 'AZURE_CLIENT_ID', 'AZURE_TENANT_ID']) delete env[k];

/** Runs the CLI without blocking this process (the emulator serves from here). */
function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}
for (const args of [
  [
    'profile',
    'add',
    'bench',
    '--authority',
    authority,
    '--client-id',
    SAMPLE_IDS.publicApp,
    '--scope',
    'https://graph.microsoft.com/User.Read',
  ],
  ['login', '--device'],
]) {
  const r = await cli(args);
  if (r.status !== 0) throw new Error(`tokenloop ${args[0]} failed: ${r.stderr}`);
}
const tlToken = (await cli(['token'])).stdout.trim();

// msal-node: sign in once (device code), persisting its cache to the file its script reads.
const cacheFile = join(work, 'msal-cache.json');
writeFileSync(cacheFile, '', { mode: 0o600 });
const net = trustingNetwork(emulator.caCertFile!);
const msal = new PublicClientApplication({
  auth: { clientId: SAMPLE_IDS.publicApp, authority, knownAuthorities: [new URL(authority).host] },
  cache: {
    cachePlugin: {
      beforeCacheAccess: async (c) => c.tokenCache.deserialize(readFileSync(cacheFile, 'utf8')),
      afterCacheAccess: async (c) => {
        if (c.cacheHasChanged) writeFileSync(cacheFile, c.tokenCache.serialize(), { mode: 0o600 });
      },
    },
  },
  system: { networkClient: net.msal, loggerOptions: { logLevel: LogLevel.Error, piiLoggingEnabled: false } },
});
const msalLogin = await msal.acquireTokenByDeviceCode({
  scopes: ['https://graph.microsoft.com/User.Read'],
  deviceCodeCallback: () => {},
  timeout: 30,
});
if (!msalLogin) throw new Error('msal-node sign-in returned nothing');
const openid = (await (
  await net.fetch(`${authority}/v2.0/.well-known/openid-configuration`)
).json()) as Record<string, unknown>;
const metadataFile = join(work, 'msal-metadata.json');
writeFileSync(
  metadataFile,
  JSON.stringify({
    authority: openid,
    cloud: {
      tenant_discovery_endpoint: `${authority}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [
        {
          preferred_network: new URL(authority).host,
          preferred_cache: new URL(authority).host,
          aliases: [new URL(authority).host],
        },
      ],
    },
  }),
);
await net.close();

interface Command {
  name: string;
  argv: string[];
  /** Whether a run's stdout is the expected result. */
  ok(stdout: string): boolean;
  times: number[];
}
const commands: Command[] = [
  { name: 'node -e 0', argv: ['-e', '0'], ok: (s) => s === '', times: [] },
  { name: 'tokenloop token', argv: [BIN, 'token'], ok: (s) => s.trim() === tlToken, times: [] },
  {
    name: 'msal-node script (file cache)',
    argv: [MSAL_SCRIPT, cacheFile, authority, SAMPLE_IDS.publicApp, metadataFile],
    ok: (s) => s.trim() === msalLogin.accessToken,
    times: [],
  },
];

function timeRun(c: Command): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, c.argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => {
      const ms = performance.now() - started;
      if (code !== 0 || !c.ok(out))
        reject(new Error(`${c.name}: exit ${code}, unexpected output; ${err.slice(0, 300)}`));
      else resolve(ms);
    });
  });
}

// One warm-up each (file-system caches), then alternating measured runs.
for (const c of commands) await timeRun(c);
for (let i = 0; i < RUNS; i++) {
  const order = i % 2 ? [...commands].reverse() : commands;
  for (const c of order) c.times.push(await timeRun(c));
}
await emulator.close();

const nodeMedian = median(commands[0]!.times);
const rows = commands.map((c) => {
  const sorted = [...c.times].sort((a, b) => a - b);
  return [
    c.name,
    median(c.times).toFixed(1),
    percentile(sorted, 90).toFixed(1),
    sorted[0]!.toFixed(1),
    `${(median(c.times) / nodeMedian).toFixed(2)}×`,
  ];
});
const m = machine();
table(
  `tokenloop token (valid cached token), whole process, ${RUNS} runs each — Node ${m.node}, ${m.cores} cores`,
  ['command', 'median ms', 'p90 ms', 'min ms', 'vs node -e 0'],
  rows,
);
const tl = median(commands[1]!.times);
const ms = median(commands[2]!.times);
console.log(
  `\n  target: tokenloop token ≤ ${TARGET}× node -e 0 — ${tl / nodeMedian <= TARGET ? 'met' : 'NOT met'} (${(tl / nodeMedian).toFixed(2)}×); msal-node script is ${(ms / tl).toFixed(1)}× slower than tokenloop`,
);
console.log(
  `BENCH ${JSON.stringify({
    bench: 'cli-token',
    runs: RUNS,
    node_e0_median_ms: Number(nodeMedian.toFixed(1)),
    tokenloop_token_median_ms: Number(tl.toFixed(1)),
    msal_script_median_ms: Number(ms.toFixed(1)),
    ratio_vs_node: Number((tl / nodeMedian).toFixed(2)),
    target_met: tl / nodeMedian <= TARGET,
  })}`,
);
