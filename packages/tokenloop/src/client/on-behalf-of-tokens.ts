import { createHash } from 'node:crypto';
import { onBehalfOfAccountId } from '../cache/app-accounts.js';
import type { SilentRequest, SilentResult } from '../cache/silent.js';
import { TokenloopError } from '../errors/errors.js';
import { appModeAcquirer } from './app-tokens.js';
import type { AuthResult } from './auth-result.js';
import { acquireResult } from './client-acquirer.js';
import { type ClientContext, grants, keyOf } from './client-context.js';

export interface OnBehalfOfOptions {
  assertion: string;
  scopes: string[];
  signal?: AbortSignal;
}

/** At most this many incoming tokens have an acquirer (single-flight) remembered; then the memory starts over. */
const MAX_ACQUIRERS = 1000;

/**
 * On-behalf-of tokens of one client: one record per incoming token, under `obo:<its SHA-256>` (the token itself
 * is never a key), cached per resource.
 */
export function onBehalfOfAcquirer(c: ClientContext): (opts: OnBehalfOfOptions) => Promise<AuthResult> {
  const acquirers = new Map<string, (req: SilentRequest) => Promise<SilentResult>>();
  return async (opts) => {
    if (typeof opts?.assertion !== 'string' || opts.assertion === '')
      throw new TokenloopError(
        'INVALID_ARGUMENT',
        'on-behalf-of needs the incoming access token as `assertion`',
      );
    const id = onBehalfOfAccountId(createHash('sha256').update(opts.assertion).digest('base64url'));
    let acquire = acquirers.get(id);
    if (!acquire) {
      acquire = appModeAcquirer(c, id, async (ctx, scopes, signal) =>
        (await grants()).onBehalfOf(ctx, opts.assertion, scopes, signal),
      );
      if (acquirers.size > MAX_ACQUIRERS) acquirers.clear();
      acquirers.set(id, acquire);
    }
    // OnBehalfOfOptions take no forceRefresh nor claims.
    return acquireResult(c, acquire, keyOf(c, id), { scopes: opts.scopes, signal: opts.signal }, true);
  };
}
