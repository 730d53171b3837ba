// `tokenloop token` without the command-line framework: the bin script sends `token` here first, so that a
// cached token is printed after loading only the library's cache path. Anything unusual (help, unknown
// options) returns undefined and the full CLI handles it.
import { reportError } from '../../errors.js';
import type { ExitCode } from '../../exit-codes.js';
import type { TokenOptions } from './run-token.js';

const VALUE_FLAGS: Record<string, keyof TokenOptions> = {
  '--scope': 'scope',
  '-s': 'scope',
  '--resource': 'resource',
  '--format': 'format',
  '-f': 'format',
  '--user': 'user',
  '--account': 'account',
  '--profile': 'profile',
  '-p': 'profile',
  '--authority': 'authority',
  '--issuer': 'issuer',
  '--client-id': 'clientId',
  '--ca-file': 'caFile',
  '--tenant': 'tenant',
};

/** Parse the token command's own options; undefined when something needs the full parser. */
export function parseTokenArgs(args: readonly string[]): TokenOptions | undefined {
  const opts: TokenOptions = {};
  for (let i = 0; i < args.length; i++) {
    let arg = args[i]!;
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (arg === '--force-refresh') {
      if (value !== undefined) return undefined;
      opts.forceRefresh = true;
      continue;
    }
    const name = VALUE_FLAGS[arg];
    if (!name) return undefined;
    value ??= args[++i];
    if (value === undefined || value.startsWith('-')) return undefined;
    if (name === 'scope') (opts.scope ??= []).push(...value.split(/[ ,]+/).filter(Boolean));
    else (opts as Record<string, unknown>)[name] = value;
  }
  return opts;
}

/** Run `token` on the fast path; undefined means "let the full CLI do it". */
export async function fastToken(args: readonly string[]): Promise<ExitCode | undefined> {
  const opts = parseTokenArgs(args);
  if (!opts) return undefined;
  try {
    const { runToken } = await import('./run-token.js');
    await runToken(opts);
    return 0;
  } catch (err) {
    return await reportError(err);
  }
}
