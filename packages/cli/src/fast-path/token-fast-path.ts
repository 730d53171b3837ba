// `tokenloop token` for a cached token, in a few milliseconds (issue 14): the bin tries this first. It reads the
// profiles, the token cache and its key synchronously, through the library's own readers and rules — private
// files (S80–S83), the file store's decoder, the client's freshness, scope and account rules — and prints
// through the command's own output code (token-request.ts, quote.ts). Whatever it cannot answer exactly as the
// full command line would (no fresh cached token, an option it does not read, any error) it declines, and the
// full command line answers (S126). It never writes: no renewal, no quarantine, no repair.
import { resolve } from 'node:path';
import { cliCachePath, cliConfigFile, readProfileCaSync, readProfilesSync } from 'tokenloop/cli-state';
import {
  type CacheStore,
  createTokenClient,
  encryptedFileSnapshot,
  encryptedFileSnapshotSources,
  nextFreshnessChangeIn,
} from 'tokenloop/client';
import { clientIdentity } from '../client/client-identity.js';
import { cliPaths } from '../config/paths.js';
import { resolveSettings } from '../config/resolve.js';
import { chosenAccount } from '../client/account-choice.js';
import { type TokenOptions, tokenAnswer, tokenFormat, tokenScopes } from '../commands/token/token-request.js';
import { formatIsTimeless } from '../output/token-format.js';
import { parseTokenArgs } from './token-args.js';
import { saveCodeCache } from './code-cache.js';
import { printPathAnswer } from './path-answer.js';

/**
 * What to print, or why the full command line must answer instead. `reuse` (S221): the same text answers again
 * until `validUntil` while the files in `sources` are unchanged (given when the text does not depend on the
 * time; the token agent keeps such answers, answer-files.ts).
 */
export type FastAnswer = { stdout: string; reuse?: FastReuse } | { declined: string };
export interface FastReuse {
  validUntil: number;
  sources: string[];
}

/** Answer `tokenloop token ARGS` from the cache, or decline (never throws). */
export async function tokenFastPath(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<FastAnswer> {
  if (env.TOKENLOOP_DEBUG)
    return { declined: 'TOKENLOOP_DEBUG is set; the command line writes the debug lines' };
  const parsed = parseTokenArgs(args);
  if ('declined' in parsed) return parsed;
  try {
    return await cachedToken(parsed.opts, env);
  } catch (err) {
    return { declined: `the command line answers this: ${(err as Error)?.message ?? String(err)}` };
  }
}

/** Why a path declines a cached token that must be renewed first, and what to do. */
const DUE_FOR_RENEWAL =
  'the cached token has expired or is due for renewal, and only the full command renews it: run the same command without TOKENLOOP_TOKEN_PATH';

async function cachedToken(opts: TokenOptions, env: NodeJS.ProcessEnv): Promise<FastAnswer> {
  const format = tokenFormat(opts);
  const paths = cliPaths(env);
  const sources = [resolve(cliConfigFile(paths.config))];
  const settings = resolveSettings(opts, env, readProfilesSync(paths.config));
  if (settings.clientSecret !== undefined || settings.certificatePath !== undefined)
    return {
      declined: 'an app credential is configured (AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH)',
    };
  // The command line reads the profile's CA before anything else it does for a provider: the same check.
  if (settings.caFile !== undefined) {
    sources.push(resolve(settings.caFile));
    readProfileCaSync(settings.caFile);
  }
  sources.push(...encryptedFileSnapshotSources({ path: cliCachePath(paths) }));
  const cache = encryptedFileSnapshot({ path: cliCachePath(paths) });
  if (!cache)
    return {
      declined: 'the token cache needs the file store (no cache, its key in the OS keyring, or repairs)',
    };
  // The snapshot only reads: a token that must be renewed is left to the full command, and the decline says so
  // in the user's words (not the store's).
  let renewing = false;
  const readOnly: CacheStore = {
    ...cache,
    transact(key, fn) {
      renewing = true;
      return cache.transact(key, fn);
    },
  };
  const client = createTokenClient({ ...clientIdentity(settings), cache: readOnly });
  const account = await chosenAccount(client, settings, opts.account, 'token');
  const scopes = tokenScopes(opts, settings);
  const now = Date.now();
  const answer = await tokenAnswer(client, { account, scopes, format, user: settings.user }).catch(
    (err: unknown) => {
      if (renewing) return undefined;
      throw err;
    },
  );
  if (answer === undefined) return { declined: DUE_FOR_RENEWAL };
  if (!formatIsTimeless(format)) return { stdout: answer.text };
  // S221: the text holds until its token is due, and until any cached token's freshness changes (another one
  // may then be chosen): the same files give the same answer until then.
  const validUntil = Math.min(answer.refreshOn.getTime(), await nextFreshnessChangeIn(cache, now));
  return { stdout: answer.text, reuse: { validUntil, sources } };
}

/** A code cache for the bundled fast path, to be made after it answered (start.ts says where and why). */
export interface CodeCacheToSave {
  file: string;
  create(): Buffer;
}

/** What the fast path's module gives the bin. */
export interface FastPath {
  runFastPath: typeof runFastPath;
}

/**
 * `tokenloop token ARGS` on the fast path, as the bin runs it: the answer printed and exit 0, or undefined for the
 * full command line to answer. With `only` (TOKENLOOP_TOKEN_PATH=fast), a decline is printed with its reason
 * (S74: as text) and exits EXIT.tokenPathDeclined (125, S187). After an answer, the bundle's code cache is saved when it had none.
 */
export async function runFastPath(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  only: boolean,
  codeCache?: CodeCacheToSave,
): Promise<number | undefined> {
  const answer = await tokenFastPath(args, env);
  const code = await printPathAnswer(answer, only, 'the fast path');
  if ('stdout' in answer && codeCache) await saveCodeCache(codeCache);
  return code;
}
