import { resourceUri } from '../commands/token/resource-uri.js';
import type { TokenOptions } from '../commands/token/token-request.js';
import { addScopes } from '../config/scope-list.js';

type Key = Exclude<keyof TokenOptions, 'forceRefresh' | 'port'>;

/** How the command line reads an option's value (main.ts gives it the same function). */
type Parser = (value: string, previous: never) => unknown;

/**
 * The options of `tokenloop token` the fast path reads itself, each with the name, short form, value and parser
 * the command line gives it (main.ts; a test holds the two together). Anything else — another option, a value
 * that looks like an option or is empty, `--force-refresh`, `--help` — is left to the full command line.
 */
export const FAST_PATH_OPTIONS: Record<string, { key: Key; parse?: Parser }> = {
  '--scope': { key: 'scope', parse: addScopes },
  '-s': { key: 'scope', parse: addScopes },
  '--resource': { key: 'resource', parse: resourceUri },
  '--format': { key: 'format' },
  '-f': { key: 'format' },
  '--user': { key: 'user' },
  '--account': { key: 'account' },
  '--profile': { key: 'profile' },
  '-p': { key: 'profile' },
  '--authority': { key: 'authority' },
  '--issuer': { key: 'issuer' },
  '--client-id': { key: 'clientId' },
  '--ca-file': { key: 'caFile' },
  '--tenant': { key: 'tenant' },
};

/**
 * The token command's options as the command line would read them, or why the fast path leaves them alone.
 * A parser's refusal (a usage error) is left to the command line too, which prints it.
 */
export function parseTokenArgs(args: readonly string[]): { opts: TokenOptions } | { declined: string } {
  const opts: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i++) {
    let arg = args[i]!;
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    // S191: an own property only: `constructor`, `__proto__`, `toString`... are arguments, not options.
    const option = Object.hasOwn(FAST_PATH_OPTIONS, arg) ? FAST_PATH_OPTIONS[arg] : undefined;
    if (!option) return { declined: `it does not handle ${arg.startsWith('-') ? arg : 'arguments'}` };
    value ??= args[++i];
    if (value === undefined || value === '' || value.startsWith('-'))
      return { declined: `it leaves ${arg} without a plain value to the command line` };
    try {
      opts[option.key] = option.parse ? option.parse(value, opts[option.key] as never) : value;
    } catch {
      return { declined: `the command line refuses this ${arg}` };
    }
  }
  return { opts: opts as TokenOptions };
}
