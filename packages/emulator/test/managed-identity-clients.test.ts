/**
 * Managed identity against Microsoft's own clients: @azure/identity's ManagedIdentityCredential and
 * DefaultAzureCredential, and msal-node's ManagedIdentityApplication, each in a child process configured only by
 * the environment variables an app finds on Azure, pointed at the emulator: the App Service style
 * (IDENTITY_ENDPOINT, IDENTITY_HEADER) and the IMDS style (AZURE_POD_IDENTITY_AUTHORITY_HOST, which replaces
 * http://169.254.169.254). Code written for Azure runs unchanged; the tokens it gets are the identity's.
 */
import * as assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, SAMPLE_SECRETS, startEmulator } from '../src/index.ts';

const CHILD = join(import.meta.dirname, 'support', 'managed-identity-child.mjs');
const CHILD_TIMEOUT_MS = 60_000;
const RG = `/subscriptions/${SAMPLE_IDS.subscription}/resourceGroups/sample-rg/providers`;
const MIRID = `/subscriptions/${SAMPLE_IDS.subscription}/resourcegroups/sample-rg/providers`;
const API = `api://${SAMPLE_IDS.apiApp}`;
const ARM = 'https://management.azure.com';
const GRAPH = 'https://graph.microsoft.com';

/** The identities of the sample directory, as their tokens must name them. */
const IDENTITIES = {
  system: {
    clientId: SAMPLE_IDS.systemIdentity,
    principalId: SAMPLE_IDS.systemIdentityPrincipal,
    mirid: `${MIRID}/Microsoft.Compute/virtualMachines/sample-vm`,
  },
  apiCaller: {
    clientId: SAMPLE_IDS.apiCallerIdentity,
    principalId: SAMPLE_IDS.apiCallerIdentityPrincipal,
    mirid: `${MIRID}/Microsoft.ManagedIdentity/userAssignedIdentities/sample-api-caller`,
  },
  graphReader: {
    clientId: SAMPLE_IDS.graphReaderIdentity,
    principalId: SAMPLE_IDS.graphReaderIdentityPrincipal,
    mirid: `${MIRID}/Microsoft.ManagedIdentity/userAssignedIdentities/sample-graph-reader`,
  },
};
type IdentityName = keyof typeof IDENTITIES;

interface Case {
  label: string;
  client: 'ManagedIdentityCredential' | 'DefaultAzureCredential' | 'msal-node';
  options?: Record<string, string>;
  scope: string;
  /** What the test expects of the token. */
  identity: IdentityName;
}

interface CaseResult {
  label: string;
  error?: string;
  claims?: Record<string, unknown>;
  expiresOn?: number;
  verified?: boolean;
  secondFromCache?: boolean;
}

/** The same credentials in either style: system-assigned, and user-assigned by clientId, resourceId, objectId. */
function credentialCases(prefix: string): Case[] {
  return [
    {
      label: `${prefix} system-assigned`,
      client: 'ManagedIdentityCredential',
      scope: `${ARM}/.default`,
      identity: 'system',
    },
    {
      label: `${prefix} by clientId`,
      client: 'ManagedIdentityCredential',
      options: { clientId: SAMPLE_IDS.apiCallerIdentity },
      scope: `${API}/.default`,
      identity: 'apiCaller',
    },
    {
      label: `${prefix} by resourceId`,
      client: 'ManagedIdentityCredential',
      options: { resourceId: `${RG}/Microsoft.ManagedIdentity/userAssignedIdentities/sample-graph-reader` },
      scope: `${GRAPH}/.default`,
      identity: 'graphReader',
    },
    {
      label: `${prefix} by objectId`,
      client: 'ManagedIdentityCredential',
      options: { objectId: SAMPLE_IDS.apiCallerIdentityPrincipal },
      scope: `${ARM}/.default`,
      identity: 'apiCaller',
    },
  ];
}

const APP_SERVICE_CASES: Case[] = [
  ...credentialCases('App Service:'),
  {
    label: 'App Service: DefaultAzureCredential (system-assigned)',
    client: 'DefaultAzureCredential',
    scope: `${GRAPH}/.default`,
    identity: 'system',
  },
  {
    label: 'App Service: msal-node ManagedIdentityApplication (system-assigned)',
    client: 'msal-node',
    scope: ARM,
    identity: 'system',
  },
];

const IMDS_CASES: Case[] = [
  ...credentialCases('IMDS:'),
  {
    label: 'IMDS: DefaultAzureCredential (user-assigned by AZURE_CLIENT_ID)',
    client: 'DefaultAzureCredential',
    scope: `${GRAPH}/.default`,
    identity: 'graphReader',
  },
  {
    label: 'IMDS: msal-node ManagedIdentityApplication (user-assigned by resource id)',
    client: 'msal-node',
    options: {
      userAssignedResourceId: `${RG}/Microsoft.ManagedIdentity/userAssignedIdentities/sample-api-caller`,
    },
    scope: API,
    identity: 'apiCaller',
  },
];

interface ChildReport {
  results: CaseResult[];
  connections: string[];
}

/** Runs the child with exactly `env` (PATH aside): no AZURE_* or proxy variable of this machine leaks in. */
function runChild(e: RunningEmulator, env: Record<string, string>, cases: Case[]): Promise<ChildReport> {
  const jwksUrl = `${e.url}/${SAMPLE_IDS.contoso}/discovery/v2.0/keys`;
  const child = fork(CHILD, [JSON.stringify({ jwksUrl, cases })], {
    env: { PATH: process.env.PATH ?? '', ...env },
    // Plain Node, as an app runs: not the test runner's flags (tsx, coverage) this process was started with.
    execArgv: [],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    if (stderr.length < 20_000) stderr += chunk.toString('utf8');
  });
  let report: ChildReport | undefined;
  child.on('message', (m) => {
    report = m as ChildReport;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `the managed identity client process (${cases[0]!.label} …) hung for ${CHILD_TIMEOUT_MS} ms: ${stderr}`,
        ),
      );
    }, CHILD_TIMEOUT_MS);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (report) resolve(report);
      else
        reject(
          new Error(
            `the managed identity client process ended (${signal ?? code}) without a report: ${stderr}`,
          ),
        );
    });
  });
}

function v1(resource: string): boolean {
  return resource !== API;
}

function assertToken(e: RunningEmulator, c: Case, r: CaseResult | undefined): void {
  assert.ok(r, `${c.label}: a result`);
  assert.equal(r.error, undefined, `${c.label}: ${r.error}`);
  const claims = r.claims!;
  const id = IDENTITIES[c.identity];
  // What the clients send as `resource`: the scope without its `/.default`.
  const resource = c.scope.replace(/\/\.default$/, '');
  assert.equal(r.verified, true, `${c.label}: signed by the emulator`);
  assert.equal(claims.idtyp, 'app', `${c.label}: an app-only token`);
  assert.equal(claims.oid, id.principalId, `${c.label}: oid is the identity's principal id`);
  assert.equal(claims.sub, id.principalId, `${c.label}: sub is the identity's principal id`);
  assert.equal(claims.tid, SAMPLE_IDS.contoso, `${c.label}: tid`);
  assert.equal(claims.xms_mirid, id.mirid, `${c.label}: xms_mirid`);
  if (v1(resource)) {
    assert.equal(claims.ver, '1.0', `${c.label}: v1 token for ${resource}`);
    assert.equal(claims.iss, `${e.url}/${SAMPLE_IDS.contoso}/`, `${c.label}: v1 issuer`);
    assert.equal(claims.appid, id.clientId, `${c.label}: appid`);
    assert.equal(claims.appidacr, '2', `${c.label}: appidacr`);
    assert.equal(claims.aud, resource, `${c.label}: aud is the resource as asked for`);
  } else {
    assert.equal(claims.ver, '2.0', `${c.label}: v2 token for the Sample API`);
    assert.equal(claims.iss, `${e.url}/${SAMPLE_IDS.contoso}/v2.0`, `${c.label}: v2 issuer`);
    assert.equal(claims.azp, id.clientId, `${c.label}: azp`);
    assert.equal(claims.azpacr, '2', `${c.label}: azpacr`);
    assert.equal(claims.aud, SAMPLE_IDS.apiApp, `${c.label}: aud`);
  }
  const roles =
    c.identity === 'apiCaller' && resource === API
      ? ['Data.Read.All']
      : c.identity === 'graphReader' && resource === GRAPH
        ? ['User.Read.All']
        : undefined;
  assert.deepEqual(claims.roles, roles, `${c.label}: roles granted to the identity`);
  // The clients count the expiry from their own clock and `expires_on` / `expires_in`, to the second.
  const skew = Math.abs(r.expiresOn! - (claims.exp as number) * 1000);
  assert.ok(skew <= 2000, `${c.label}: the client read the expiry the token has (off by ${skew} ms)`);
  assert.equal(r.secondFromCache, true, `${c.label}: the second request is served from the client's cache`);
}

describe(
  'managed identity: Microsoft’s clients, configured by environment variables only',
  { timeout: 120_000 },
  () => {
    let e: RunningEmulator;
    let appService: ChildReport;
    let imds: ChildReport;

    before(async () => {
      e = await startEmulator();
      [appService, imds] = await Promise.all([
        runChild(
          e,
          { IDENTITY_ENDPOINT: `${e.url}/msi/token`, IDENTITY_HEADER: SAMPLE_SECRETS.identityHeader },
          APP_SERVICE_CASES,
        ),
        runChild(
          e,
          { AZURE_POD_IDENTITY_AUTHORITY_HOST: e.url, AZURE_CLIENT_ID: SAMPLE_IDS.graphReaderIdentity },
          IMDS_CASES,
        ),
      ]);
    });
    after(() => e?.close());

    for (const [style, cases, report] of [
      ['App Service style (IDENTITY_ENDPOINT, IDENTITY_HEADER)', APP_SERVICE_CASES, () => appService],
      ['IMDS style (AZURE_POD_IDENTITY_AUTHORITY_HOST, AZURE_CLIENT_ID)', IMDS_CASES, () => imds],
    ] as const) {
      it(`S118 ${style}: ManagedIdentityCredential (system-assigned; by clientId, resourceId, objectId), DefaultAzureCredential and msal-node's ManagedIdentityApplication get the identity's app-only tokens, then serve them from their caches`, () => {
        const { results, connections } = report();
        for (const c of cases)
          assertToken(
            e,
            c,
            results.find((r) => r.label === c.label),
          );
        const port = new URL(e.url).port;
        assert.deepEqual(
          [...new Set(connections)].filter((a) => a !== `127.0.0.1:${port}`),
          [],
          'the clients connected to the emulator only (not 169.254.169.254, not login.microsoftonline.com)',
        );
      });
    }

    it('S118 each client asked the emulator once per credential: the second token came from its cache (the answer’s expires_on read right)', () => {
      const counts = e.stats().token_requests.managed_identity ?? {};
      const expected: Record<string, number> = {};
      for (const c of [...APP_SERVICE_CASES, ...IMDS_CASES]) {
        const clientId = IDENTITIES[c.identity].clientId;
        expected[clientId] = (expected[clientId] ?? 0) + 1;
      }
      assert.deepEqual(counts, expected);
    });
  },
);
