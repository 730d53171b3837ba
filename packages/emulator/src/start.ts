import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { findUser } from './admin/operations.js';
import { DEFAULT_SETTINGS, type EmulatorContext, type EmulatorSettings } from './context.js';
import { DirectoryConfigError } from './errors/directory-config-error.js';
import { EmulatorOptionsError } from './errors/emulator-options-error.js';
import { type LoadedConfig, loadConfig, loadConfigFile, loadSample } from './directory/load.js';
import { showErrorPage } from './flow/deliver.js';
import { createListener } from './http/server.js';
import { ROUTES } from './routes.js';
import { ensureHttpsMaterial, type HttpsMaterial } from './keys/https-material.js';
import { SigningKeys } from './keys/signing-keys.js';
import { unbracketed } from './http/loopback.js';
import { answerPlainHttpOnTls } from './http/plain-http-on-tls.js';
import { baseUrl } from './http/public-url.js';
import { remoteWarning } from './http/remote-warning.js';
import { defaultDataDir, type EmulatorOptions, isLoopbackHost, validateOptions } from './options.js';
import { createState, sweepState } from './state/state.js';
import { type RunningEmulator, runningEmulator } from './running-emulator.js';

/** The directory the options name (a file, an object, or the sample); a config problem is a user error. */
async function loadDirectory(config: EmulatorOptions['config']): Promise<LoadedConfig> {
  try {
    if (config === undefined) return await loadSample();
    if (typeof config === 'string') return await loadConfigFile(config);
    return await loadConfig(config, 'config');
  } catch (err) {
    if (err instanceof DirectoryConfigError) throw new EmulatorOptionsError(err.lines);
    throw err;
  }
}

/** The settings: the defaults, then the config's, then the options' (`accessTokenLifetime`, then `settings`). */
function settingsOf(options: EmulatorOptions, loaded: LoadedConfig): EmulatorSettings {
  return {
    ...DEFAULT_SETTINGS,
    ...stripUndefined(loaded.settings),
    ...(options.accessTokenLifetime !== undefined
      ? { accessTokenLifetime: options.accessTokenLifetime }
      : {}),
    ...stripUndefined(options.settings ?? {}),
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The names the https certificate carries: the loopback names, the address listened on when it is one of them,
 * and the public URL's host (S153: checked to be within what the local CA may vouch for).
 */
function certificateNames(host: string, publicUrl: string | undefined): string[] {
  const names = ['localhost', '127.0.0.1', '::1'];
  if (isLoopbackHost(host)) names.push(host);
  if (publicUrl !== undefined) names.push(unbracketed(new URL(publicUrl).hostname));
  return [...new Set(names)];
}

/** The user every sign-in completes as (`autoLogin`), by id; an unknown user is a user error. */
function autoLoginUserId(ctx: EmulatorContext, name: string | undefined): string | undefined {
  if (!name) return undefined;
  const user = findUser(ctx, name);
  if (!user) {
    const known = [...ctx.directory.users.values()].map((u) => u.username).join(', ');
    throw new EmulatorOptionsError(`--auto-login: no user '${name}' in the directory (users: ${known})`);
  }
  return user.id;
}

/** The http(s) server of the listener, with the emulator's limits on connections, headers and requests. */
function createServer(ctx: EmulatorContext, tls: HttpsMaterial | undefined): Server {
  const listener = createListener(ctx, { routes: ROUTES, errorPage: showErrorPage });
  const server: Server = tls
    ? // S156: a plain http request on the https port is answered with the https URL, not reset.
      answerPlainHttpOnTls(createHttpsServer({ cert: tls.cert, key: tls.key }, listener), () => ctx.url)
    : createHttpServer(listener);
  server.keepAliveTimeout = 5000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.maxHeadersCount = 100;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });
  return server;
}

/** Listens on `host`:`port`; a port in use or an address not of this machine is a user error. Answers the port. */
async function listen(server: Server, port: number | undefined, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new EmulatorOptionsError(
              `port ${port} on ${host} is already in use; choose another with --port, or 0 for any free port`,
              { cause: err }, // the tokenloop command's fix names a free port (EADDRINUSE)
            )
          : err.code === 'EADDRNOTAVAIL'
            ? new EmulatorOptionsError(`cannot listen on ${host}: address not available on this machine`)
            : err,
      );
    });
    server.listen(port ?? 0, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** Remote mode warns on every start: through `log` when given, else on stderr. */
function warnIfRemote(host: string, url: string, log: EmulatorOptions['log']): void {
  const warning = remoteWarning(host, url);
  if (warning) (log ?? ((line) => process.stderr.write(`tokenloop emulator: ${line}\n`)))(warning);
}

/**
 * Starts a local Entra-compatible identity platform.
 *
 * @example
 * ```ts
 * import { startEmulator } from '@tokenloop/emulator';
 * const emulator = await startEmulator({ autoLogin: 'alice' });
 * const authority = `${emulator.url}/organizations`;
 * // … run your tests against `authority` …
 * await emulator.close();
 * ```
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  validateOptions(options);
  const loaded = await loadDirectory(options.config);
  const settings = settingsOf(options, loaded);
  const host = options.host ?? '127.0.0.1';
  const dataDir = options.dataDir ?? (options.https ? defaultDataDir() : undefined);
  // One after the other, TLS material first (S88): a refused folder or file stops the start before the signing
  // keys are made, so that a refusal leaves the data folder as it was.
  const tls = options.https
    ? await ensureHttpsMaterial(dataDir!, certificateNames(host, options.publicUrl), options.log)
    : undefined;
  const keys = await SigningKeys.open(dataDir, settings.keyGraceSeconds);
  const ctx: EmulatorContext = {
    url: '',
    secure: !!options.https,
    directory: loaded.directory,
    settings,
    keys,
    state: createState(settings.accessTokenStoreSize),
    autoLoginUserId: undefined,
    log: options.log ?? (() => {}),
  };
  ctx.autoLoginUserId = autoLoginUserId(ctx, options.autoLogin);
  const server = createServer(ctx, tls);
  const port = await listen(server, options.port, host);
  ctx.url = baseUrl({ secure: !!tls, host, port, publicUrl: options.publicUrl });
  warnIfRemote(host, ctx.url, options.log);
  const sweeper = setInterval(() => sweepState(ctx.state), 30_000);
  sweeper.unref();
  return runningEmulator(ctx, server, tls?.caCertFile ?? null, sweeper);
}
