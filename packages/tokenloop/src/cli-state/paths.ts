import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** Where the tokenloop command keeps things. */
export interface CliPaths {
  /** Profiles (`config.json`, see `cliConfigFile`). */
  config: string;
  /** The encrypted token cache and its key file (see `cliCachePath`). */
  cache: string;
  /** Emulator keys and CA. */
  data: string;
}

/**
 * XDG base directories (`$XDG_CONFIG_HOME/tokenloop`, `$XDG_CACHE_HOME/tokenloop`, `$XDG_DATA_HOME/tokenloop`;
 * a relative value is ignored, as the XDG specification says), unless `TOKENLOOP_HOME` is set: then everything
 * lives under it (tests, several identities side by side). Whatever is chosen, files there are read and written
 * only through `tokenloop/private-files`, which refuses folders another user controls (S80). S106: this is the
 * one place that says where the command's state is; the command line and tokenloop/azure both ask it.
 */
export function cliPaths(env: NodeJS.ProcessEnv = process.env): CliPaths {
  const home = env.TOKENLOOP_HOME;
  if (home) return { config: home, cache: join(home, 'cache'), data: home };
  const h = homedir();
  const base = (value: string | undefined, fallback: string) =>
    value && isAbsolute(value) ? value : join(h, fallback);
  return {
    config: join(base(env.XDG_CONFIG_HOME, '.config'), 'tokenloop'),
    cache: join(base(env.XDG_CACHE_HOME, '.cache'), 'tokenloop'),
    data: join(base(env.XDG_DATA_HOME, join('.local', 'share')), 'tokenloop'),
  };
}

/** The profiles file in a config directory. */
export function cliConfigFile(configDir: string): string {
  return join(configDir, 'config.json');
}

/** The token cache every command shares (encrypted; key in the keyring or a 0600 key file beside it). */
export function cliCachePath(paths: CliPaths): string {
  return join(paths.cache, 'tokens.cache');
}

/**
 * S170: the token agent's socket (`tokenloop agent`): in `$XDG_RUNTIME_DIR/tokenloop` (an absolute
 * XDG_RUNTIME_DIR, the user's own runtime folder) unless TOKENLOOP_HOME is set, else in the `agent` folder of the
 * cache folder. `placedBy` names what chose the place, for a message that tells how to move it.
 */
export function cliAgentSocket(env: NodeJS.ProcessEnv = process.env): {
  path: string;
  placedBy: 'XDG_RUNTIME_DIR' | 'TOKENLOOP_HOME' | 'the cache folder';
} {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime && isAbsolute(runtime) && !env.TOKENLOOP_HOME)
    return { path: join(runtime, 'tokenloop', 'agent.sock'), placedBy: 'XDG_RUNTIME_DIR' };
  return {
    path: join(cliPaths(env).cache, 'agent', 'agent.sock'),
    placedBy: env.TOKENLOOP_HOME ? 'TOKENLOOP_HOME' : 'the cache folder',
  };
}
