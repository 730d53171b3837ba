import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the CLI keeps things. */
export interface CliPaths {
  /** Profiles (`config.json`). */
  config: string;
  /** The encrypted token cache and its key file. */
  cache: string;
  /** Emulator keys and CA. */
  data: string;
}

/**
 * XDG base directories (`$XDG_CONFIG_HOME/tokenloop`, `$XDG_CACHE_HOME/tokenloop`, `$XDG_DATA_HOME/tokenloop`),
 * unless `TOKENLOOP_HOME` is set: then everything lives under it (tests, several identities side by side).
 */
export function cliPaths(env: NodeJS.ProcessEnv = process.env): CliPaths {
  const home = env.TOKENLOOP_HOME;
  if (home) return { config: home, cache: join(home, 'cache'), data: home };
  const h = homedir();
  return {
    config: join(env.XDG_CONFIG_HOME || join(h, '.config'), 'tokenloop'),
    cache: join(env.XDG_CACHE_HOME || join(h, '.cache'), 'tokenloop'),
    data: join(env.XDG_DATA_HOME || join(h, '.local', 'share'), 'tokenloop'),
  };
}
