import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import {
  defaultDataDir,
  EmulatorOptionsError,
  remoteHostRefusal,
  type RunningEmulator,
  startEmulator,
} from '@tokenloop/emulator';
import { checkPrivateDirectory, ensurePrivateDirectory } from 'tokenloop/private-files';
import { CliError } from '../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { jsonLine, shellWord, terminalText } from '../output/quote.js';

export interface EmulatorCommandOptions {
  port: number;
  host: string;
  allowRemote?: boolean;
  publicUrl?: string;
  https?: boolean;
  config?: string;
  dataDir?: string;
  autoLogin?: string;
  accessTokenLifetime?: number;
  json?: boolean;
}

/** `tokenloop emulator`: starts the emulator and serves until Ctrl-C / SIGTERM. */
export async function runEmulator(opts: EmulatorCommandOptions): Promise<ExitCode> {
  const started = performance.now();
  // S150: the library's refusal, with the command that opts in as the fix.
  const refusal = remoteHostRefusal(opts.host, opts.allowRemote);
  if (refusal) throw new CliError(refusal, EXIT.usage, remoteFix(opts));
  const dataDir = opts.dataDir ?? defaultDataDir();
  // S80: the signing keys and the local CA the user is told to trust live there: only a folder the user controls.
  await ensurePrivateDirectory(dataDir);
  await checkPrivateDirectory(join(dataDir, 'tls'));
  const emulator = await startEmulator({
    port: opts.port,
    host: opts.host,
    ...(opts.allowRemote ? { allowRemote: true } : {}),
    ...(opts.publicUrl !== undefined ? { publicUrl: opts.publicUrl } : {}),
    https: !!opts.https,
    ...(opts.config ? { config: opts.config } : {}),
    dataDir,
    ...(opts.autoLogin ? { autoLogin: opts.autoLogin } : {}),
    ...(opts.accessTokenLifetime ? { accessTokenLifetime: opts.accessTokenLifetime } : {}),
    // S74: the emulator's log lines carry what requests said (paths, parameters).
    log: (line) => process.stderr.write(`emulator: ${terminalText(line)}\n`),
  }).catch(async (err: unknown) => {
    throw (await portInUse(err, opts)) ?? optionsRefused(err) ?? err;
  });
  const readyMs = performance.now() - started;
  if (opts.json) process.stdout.write(`${jsonLine(readyLine(emulator))}\n`);
  else process.stdout.write(describe(emulator, readyMs, opts.autoLogin));
  await waitForSignal();
  await emulator.close();
  return EXIT.ok;
}

/**
 * A port already in use is a usage error (exit 2, docs/cli.md): the message names the port, the fix the same
 * command on a port that is free now (the system's pick, on the same host).
 */
async function portInUse(err: unknown, o: EmulatorCommandOptions): Promise<CliError | undefined> {
  if (!(err instanceof EmulatorOptionsError) || (err.cause as { code?: unknown })?.code !== 'EADDRINUSE')
    return undefined;
  // A public URL names the port clients reach: only the person knows the one that goes with another port.
  const free = o.publicUrl === undefined ? await freePort(o.host).catch(() => undefined) : undefined;
  const fix =
    free === undefined
      ? `choose another port with --port (0: any free port, named in the ready line)${o.publicUrl === undefined ? '' : ', and the --public-url that reaches it'}`
      : `start it on a free port: \`tokenloop emulator ${emulatorArgs({ ...o, port: free }).join(' ')}\` (or --port 0: any free port, named in the ready line)`;
  return new CliError(
    `port ${o.port} on ${o.host} is already in use (another program, or an emulator already running, listens there)`,
    EXIT.usage,
    fix,
  );
}

/**
 * The emulator's refusal of its options or config file: a usage error (exit 2) whose message is what is wrong and
 * whose details the problems, one a line (S74: each printed as a line of its own).
 */
export function optionsRefused(err: unknown): CliError | undefined {
  if (!(err instanceof EmulatorOptionsError)) return undefined;
  const [message = err.message, ...details] = err.lines;
  return new CliError(message, EXIT.usage, undefined, { details, cause: err });
}

/** A port nothing listens on at `host` now: the one the system gives a listener on port 0. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The same command with `--allow-remote` added, every option as given (values quoted for a shell). */
function remoteFix(o: EmulatorCommandOptions): string {
  const args = emulatorArgs({ ...o, allowRemote: true });
  return `only on a private test network: \`tokenloop emulator ${args.join(' ')}\`; or listen on a loopback address (--host 127.0.0.1)`;
}

/** The options of this command as given (values quoted for a shell). */
function emulatorArgs(o: EmulatorCommandOptions): string[] {
  const word = (v: string) => (/^[\w@%+=:,./-]+$/.test(v) ? v : (shellWord(v) ?? v));
  const args: string[] = ['--host', o.host];
  if (o.allowRemote) args.push('--allow-remote');
  if (o.port !== 8400) args.push('--port', String(o.port));
  // A public URL holding a password is refused anyway; never echoed.
  if (o.publicUrl !== undefined && !/@/.test(o.publicUrl)) args.push('--public-url', o.publicUrl);
  if (o.https) args.push('--https');
  if (o.config) args.push('--config', o.config);
  if (o.dataDir) args.push('--data-dir', o.dataDir);
  if (o.autoLogin) args.push('--auto-login', o.autoLogin);
  if (o.accessTokenLifetime) args.push('--access-token-lifetime', String(o.accessTokenLifetime));
  if (o.json) args.push('--json');
  return args.map(word);
}

export function readyLine(e: RunningEmulator) {
  const d = e.directory();
  return {
    url: e.url,
    caCertFile: e.caCertFile,
    tenants: d.tenants.map((t) => ({ id: t.id, domain: t.domain })),
    apps: d.apps.map((a) => ({
      clientId: a.clientId,
      name: a.name,
      type: a.type,
      ...(a.secret ? { secret: a.secret } : {}),
      redirectUris: a.redirectUris,
      ...(a.appIdUri ? { appIdUri: a.appIdUri } : {}),
      // S155: what the token an app presents as its client assertion must say.
      ...(a.federatedIdentityCredentials
        ? { federatedIdentityCredentials: a.federatedIdentityCredentials }
        : {}),
    })),
    users: d.users.map((u) => ({ username: u.username, password: u.password, tenantId: u.tenantId })),
    managedIdentities: d.managedIdentities,
  };
}

function describe(e: RunningEmulator, readyMs: number, autoLogin: string | undefined): string {
  const d = e.directory();
  // Labels and values in two columns, however long a tenant's domain is.
  const rows: [string, string][] = [
    ['authority (multi-tenant)', `${e.url}/organizations`],
    ...d.tenants.map((t): [string, string] => [`authority (${t.domain})`, `${e.url}/${t.id}`]),
    // S151: the admin page answers loopback callers naming a loopback host only, not the public URL's.
    remoteHostRefusal(new URL(e.url).hostname.replace(/^\[(.*)\]$/, '$1'), false) === undefined
      ? ['admin page', `${e.url}/_emulator/`]
      : ['admin page', '/_emulator/ on a loopback address of this machine only (inside its container)'],
    ...(e.caCertFile
      ? [['CA certificate', `${e.caCertFile}   (NODE_EXTRA_CA_CERTS=${e.caCertFile})`] as [string, string]]
      : []),
    ...(autoLogin ? [['auto-login', `every sign-in completes as ${autoLogin}`] as [string, string]] : []),
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = [
    `tokenloop emulator ready at ${e.url} (${readyMs.toFixed(0)} ms)`,
    '',
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    '',
    '  Users (local test accounts only):',
    ...d.users.map((u) => `    ${u.username.padEnd(34)} password ${u.password}`),
    '',
    '  Apps:',
    ...d.apps.flatMap((a) => [
      `    ${a.name} [${a.type}]`,
      `      client id     ${a.clientId}`,
      ...(a.secret ? [`      secret        ${a.secret}`] : []),
      ...(a.redirectUris.length ? [`      redirect URIs ${a.redirectUris.join(', ')}`] : []),
      ...(a.appIdUri
        ? [
            `      App ID URI    ${a.appIdUri}${a.scopes ? `  scopes: ${a.scopes.join(' ')}` : ''}${a.roles ? `  roles: ${a.roles.join(' ')}` : ''}`,
          ]
        : []),
      ...federatedLines(a.federatedIdentityCredentials),
    ]),
    ...identityLines(e.url, d.managedIdentities),
    '',
    'Press Ctrl-C to stop.',
    '',
  ];
  return lines.join('\n');
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

/**
 * S155: each federated identity credential as one line, name, issuer, subject (and a non-default audience), so a
 * user can check the config against the token they mint. Config text: shown with control characters escaped.
 */
function federatedLines(
  fics: ReturnType<RunningEmulator['directory']>['apps'][number]['federatedIdentityCredentials'],
): string[] {
  if (!fics?.length) return [];
  return [
    '      federated credentials (client assertion iss / sub must match):',
    ...fics.map((f) => {
      const aud = f.audiences.join(' ');
      const audience = aud === 'api://AzureADTokenExchange' ? '' : `  aud ${aud}`;
      return `        ${terminalText(f.name)}  iss ${terminalText(f.issuer)}  sub ${terminalText(f.subject)}${terminalText(audience)}`;
    }),
  ];
}

/** Managed identities and the variables that point Azure SDK code at them (docs/azure-sdk.md). */
function identityLines(
  url: string,
  m: ReturnType<RunningEmulator['directory']>['managedIdentities'],
): string[] {
  if (m.identities.length === 0) return [];
  return [
    '',
    '  Managed identities (IDENTITY_ENDPOINT=' +
      `${url}/msi/token${m.identityHeader ? ` IDENTITY_HEADER=${m.identityHeader}` : ''}, or AZURE_POD_IDENTITY_AUTHORITY_HOST=${url}):`,
    ...m.identities.flatMap((i) => [
      `    ${i.name} [${i.kind}]`,
      `      client id     ${i.clientId}`,
      `      principal id  ${i.principalId}`,
      `      resource id   ${i.resourceId}`,
    ]),
  ];
}
