import { homedir } from 'node:os';
import { join } from 'node:path';
import type { EmulatorSettings } from './context.js';
import { EmulatorOptionsError } from './errors/emulator-options-error.js';
import type { ConfigFile } from './directory/schema.js';
import { publicUrlProblem } from './http/public-url.js';
import { isLoopbackHost } from './http/loopback.js';

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /**
   * Address to listen on: 127.0.0.1 (default), localhost, ::1 or another 127.x address; any other (0.0.0.0, a
   * LAN address) only with `allowRemote`.
   */
  host?: string;
  /**
   * Allows a non-loopback `host` (docker-compose, dev containers): whoever can reach the emulator can sign in
   * as its test users and get tokens it signs. Every start then warns (through `log`, else on stderr). The admin
   * API and the managed identity endpoints still answer loopback callers only.
   */
  allowRemote?: boolean;
  /**
   * The base URL clients reach the emulator at, e.g. `http://emulator:8400`, when it is not the address it
   * listens on: issuers, discovery documents, redirects and pages use it. http(s) with the scheme served, a
   * host and optional port, nothing else.
   */
  publicUrl?: string;
  /** Serve https with a local CA kept in the data directory (MSAL refuses http authorities). */
  https?: boolean;
  /** A directory config: a JSON file path, or the object itself. Default: the built-in sample directory. */
  config?: string | ConfigFile;
  /** Where keys and the local CA live. Default: none (ephemeral keys), or the user data dir for https. */
  dataDir?: string;
  /** Complete every sign-in and device code as this user (full username or the part before @). */
  autoLogin?: string;
  /** Access token lifetime in seconds. */
  accessTokenLifetime?: number;
  /** Fine-grained lifetimes and intervals. */
  settings?: Partial<EmulatorSettings>;
  /** Where operational messages go (default: nowhere). */
  log?: (line: string) => void;
}

/** The emulator's one loopback rule (http/loopback.ts), here too for the modules that take it with the options. */
export { isLoopbackHost };

/**
 * S150: why the emulator may not listen on `host`, or undefined when it may. A loopback address always; any
 * other (0.0.0.0, a LAN address) only with the explicit opt-in: whoever reaches the emulator can sign in as the
 * test users with their published passwords and get tokens it signs.
 */
export function remoteHostRefusal(host: string, allowRemote: boolean | undefined): string | undefined {
  if (isLoopbackHost(host) || allowRemote === true) return undefined;
  return `host must be a loopback address (127.0.0.1, localhost or ::1), got '${host}': the emulator publishes test passwords and signs tokens for anyone who can reach it; another address needs the explicit opt-in to remote mode (--allow-remote, or allowRemote: true)`;
}

/** `$TOKENLOOP_HOME/emulator`, else `$XDG_DATA_HOME/tokenloop/emulator`, else `~/.local/share/tokenloop/emulator`. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TOKENLOOP_HOME) return join(env.TOKENLOOP_HOME, 'emulator');
  const data = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(data, 'tokenloop', 'emulator');
}

export function validateOptions(o: EmulatorOptions): void {
  if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 0 || o.port > 65_535)) {
    throw new EmulatorOptionsError(`port must be an integer from 0 to 65535 (got ${o.port})`);
  }
  const refusal = o.host === undefined ? undefined : remoteHostRefusal(o.host, o.allowRemote);
  if (refusal) throw new EmulatorOptionsError(refusal);
  const problem = o.publicUrl === undefined ? undefined : publicUrlProblem(o.publicUrl, !!o.https);
  if (problem) throw new EmulatorOptionsError(problem);
  if (
    o.accessTokenLifetime !== undefined &&
    (!Number.isInteger(o.accessTokenLifetime) || o.accessTokenLifetime < 1 || o.accessTokenLifetime > 86_400)
  ) {
    throw new EmulatorOptionsError(
      `access token lifetime must be a whole number of seconds from 1 to 86400 (got ${o.accessTokenLifetime})`,
    );
  }
}
