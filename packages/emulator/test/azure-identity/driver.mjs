// The @azure/identity side of the azure-identity tests, in a Node process of its own (plain JavaScript: through a
// TypeScript loader, importing @azure/identity's module graph takes seconds longer). Its environment carries
// NODE_EXTRA_CA_CERTS (Node reads it only at start-up), so @azure/identity reaches the https emulator with nothing
// patched, and for EnvironmentCredential and DefaultAzureCredential the AZURE_* variables users set. Credentials
// are built as @azure/identity documents them; operations arrive over IPC (protocol.ts has the shapes). Results
// carry non-secret claims, never tokens, and what the process sent requests to and started (Node's diagnostics
// channels observe; nothing is patched).
import { subscribe } from 'node:diagnostics_channel';
import {
  ClientCertificateCredential,
  ClientSecretCredential,
  DefaultAzureCredential,
  DeviceCodeCredential,
  EnvironmentCredential,
  InteractiveBrowserCredential,
  OnBehalfOfCredential,
  UsernamePasswordCredential,
  WorkloadIdentityCredential,
} from '@azure/identity';
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createEmptyPipeline,
  createPipelineRequest,
} from '@azure/core-rest-pipeline';
import { decodeJwt, decodeProtectedHeader } from 'jose';

/** Claims worth looking at in a test; everything here is public information about the token. */
const CLAIMS = ['iss', 'aud', 'tid', 'oid', 'sub', 'ver', 'scp', 'roles', 'idtyp', 'appid', 'azp', 'uti'];
const HEADER = ['alg', 'typ', 'kid', 'x5t'];

/** @type {import('./protocol.ts').Observed} */
let observed = { requests: [], spawned: [] };
subscribe('http.client.request.start', ({ request }) => {
  observed.requests.push(`${request.protocol}//${String(request.getHeader('host'))}`);
});
subscribe('child_process', ({ process: child }) => {
  child.once('spawn', () => observed.spawned.push(child.spawnfile));
});

/** @type {Map<string, import('@azure/identity').TokenCredential>} */
const credentials = new Map();
/** The call being run (one at a time): a device code belongs to the getToken that asked for it. */
let current = 0;

/** @param {import('./protocol.ts').ChildMessage} m */
function send(m) {
  if (process.connected) process.send?.(m);
}

function pick(o, keys) {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}

/**
 * @param {import('@azure/identity').AccessToken} t
 * @returns {import('./protocol.ts').TokenSummary}
 */
function summary(t) {
  return {
    tokenType: t.tokenType,
    expiresOnTimestamp: t.expiresOnTimestamp,
    refreshAfterTimestamp: t.refreshAfterTimestamp,
    claims: pick(decodeJwt(t.token), CLAIMS),
    header: pick(decodeProtectedHeader(t.token), HEADER),
  };
}

function named(name) {
  const c = credentials.get(name);
  if (!c) throw new Error(`no credential named ${name}`);
  return c;
}

/**
 * The options docs/azure-sdk.md gives EnvironmentCredential and DefaultAzureCredential ("Testing an
 * @azure/identity app against the emulator"): Entra's check of the authority skipped for one on this machine only.
 */
function documented() {
  const host = process.env.AZURE_AUTHORITY_HOST;
  const local = host !== undefined && ['localhost', '127.0.0.1'].includes(new URL(host).hostname);
  return { disableInstanceDiscovery: local };
}

/** @param {import('./protocol.ts').CredentialSpec} spec */
async function create(spec) {
  if (spec.kind === 'EnvironmentCredential')
    return spec.options === 'none' ? new EnvironmentCredential() : new EnvironmentCredential(documented());
  if (spec.kind === 'DefaultAzureCredential')
    return spec.options === 'none' ? new DefaultAzureCredential() : new DefaultAzureCredential(documented());
  const common = { authorityHost: spec.authorityHost, disableInstanceDiscovery: true };
  // Left out, tenantId and clientId take @azure/identity's defaults (for the interactive credentials).
  const app = {
    ...common,
    ...(spec.tenantId ? { tenantId: spec.tenantId } : {}),
    ...(spec.clientId ? { clientId: spec.clientId } : {}),
  };
  switch (spec.kind) {
    case 'ClientSecretCredential':
      return new ClientSecretCredential(spec.tenantId, spec.clientId, spec.clientSecret, common);
    case 'ClientCertificateCredential':
      return new ClientCertificateCredential(
        spec.tenantId,
        spec.clientId,
        { certificate: spec.certificatePem },
        { ...common, sendCertificateChain: spec.sendCertificateChain ?? false },
      );
    case 'UsernamePasswordCredential':
      return new UsernamePasswordCredential(
        spec.tenantId,
        spec.clientId,
        spec.username,
        spec.password,
        common,
      );
    case 'WorkloadIdentityCredential':
      return new WorkloadIdentityCredential({
        ...common,
        tenantId: spec.tenantId,
        clientId: spec.clientId,
        tokenFilePath: spec.tokenFilePath,
      });
    case 'OnBehalfOfCredential': {
      // The middle tier receives the user's token with a request; here it comes from another credential.
      const from = spec.userAssertionFrom;
      const user = await named(from.credential).getToken(from.scopes);
      if (!user) throw new Error('no user token for the on-behalf-of assertion');
      return new OnBehalfOfCredential({
        ...app,
        clientSecret: spec.clientSecret,
        userAssertionToken: user.token,
      });
    }
    case 'DeviceCodeCredential':
      return new DeviceCodeCredential({
        ...app,
        ...(spec.disableAutomaticAuthentication ? { disableAutomaticAuthentication: true } : {}),
        userPromptCallback: (info) =>
          send({
            type: 'deviceCode',
            id: current,
            userCode: info.userCode,
            verificationUri: info.verificationUri,
            message: info.message,
          }),
      });
    case 'InteractiveBrowserCredential':
      return new InteractiveBrowserCredential({
        ...app,
        ...(spec.redirectUri ? { redirectUri: spec.redirectUri } : {}),
      });
    default:
      throw new Error(`unknown credential ${spec.kind}`);
  }
}

/** @param {import('./protocol.ts').Operation} op */
async function run(op) {
  if (op.op === 'create') {
    credentials.set(op.name, await create(op.credential));
    return null;
  }
  if (op.op === 'authenticate') {
    // As an app with automatic authentication disabled signs the user in up front (CAE-enabled, as an SDK
    // client's getToken is: the two share MSAL's CAE cache).
    await named(op.name).authenticate(op.scopes, { enableCae: true });
    return null;
  }
  if (op.op === 'callApi') return callApi(op);
  const token = await named(op.name).getToken(op.scopes);
  if (!token) throw new Error('getToken returned null');
  return summary(token);
}

/** One pipeline per credential, as an Azure SDK client keeps one: its bearer policy caches the token. */
const pipelines = new Map();
const httpClient = createDefaultHttpClient();

/**
 * GET `op.url` through @azure/core-rest-pipeline's bearerTokenAuthenticationPolicy, which asks for CAE tokens
 * and answers a claims challenge (401 `insufficient_claims`) by getting a token with the challenge's claims and
 * sending the request again. Resolves null on a 200; anything else fails with the status.
 * @param {{ name: string; scopes: string[]; url: string }} op
 */
async function callApi(op) {
  let pipeline = pipelines.get(op.name);
  if (!pipeline) {
    pipeline = createEmptyPipeline();
    pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential: named(op.name), scopes: op.scopes }));
    pipelines.set(op.name, pipeline);
  }
  const response = await pipeline.sendRequest(httpClient, createPipelineRequest({ url: op.url }));
  if (response.status === 200) return null;
  const error = new Error(`HTTP ${response.status} from ${op.url}`);
  error.name = 'ApiStatusError';
  throw error;
}

process.on('message', (/** @type {import('./protocol.ts').ParentMessage} */ m) => {
  if (m.type === 'exit') process.exit(0);
  const { type: _t, id, ...op } = m;
  observed = { requests: [], spawned: [] };
  current = id;
  run(op).then(
    (value) => send({ type: 'result', id, ok: true, value, observed }),
    (err) => {
      const error = { name: err?.name ?? 'Error', message: String(err?.message ?? err).slice(0, 2000) };
      send({ type: 'result', id, ok: false, error, observed });
    },
  );
});
process.on('disconnect', () => process.exit(0)); // the parent is gone
send({ type: 'ready' });
