import * as oauth from 'oauth4webapi';
import type { GrantContext } from '../model/grant-context.js';
import type { DeviceCodeOptions } from '../model/interactive-options.js';
import { OAuthError, TokenloopError, isTransient } from '../errors/errors.js';
import { debug } from '../log/debug.js';
import { clientAuthFor } from './client-auth.js';
import { mapProtocolError } from './map-errors.js';
import { asClient, endpoint, requestOptions, signInScopes } from './protocol.js';
import { explainScopeRefusal } from './scope-refusal.js';
import { requestTokens } from './token-endpoint.js';
import type { TokenSet } from '../model/token-set.js';
import { wait } from './wait.js';

/** Bounds on the provider's polling interval (seconds). */
const DEFAULT_INTERVAL = 5;
const MAX_INTERVAL = 60;

/**
 * Device authorization grant (RFC 8628). Polls at the provider's `interval` (default 5 s); `slow_down` adds
 * 5 s for good; stops on `access_denied` / `authorization_declined`, `expired_token`, the code's expiry, the
 * caller's timeout or signal (S23). Transient failures while polling are waited out (C7).
 */
export async function loginWithDeviceCode(ctx: GrantContext, o: DeviceCodeOptions): Promise<TokenSet> {
  if (!Array.isArray(o?.scopes) || typeof o.onPrompt !== 'function')
    throw new TokenloopError('INVALID_ARGUMENT', 'device code sign-in needs scopes and onPrompt');
  endpoint(ctx, 'device_authorization_endpoint', 'device code sign-in');
  const scopes = signInScopes(ctx, [...o.scopes, ...(o.extraScopesToConsent ?? [])]);
  const client = asClient(ctx);
  const auth = await clientAuthFor(ctx);
  let started: oauth.DeviceAuthorizationResponse;
  try {
    const response = await oauth.deviceAuthorizationRequest(
      ctx.server.as,
      client,
      auth,
      { scope: scopes.join(' ') },
      requestOptions(ctx, o.signal),
    );
    started = await oauth.processDeviceAuthorizationResponse(ctx.server.as, client, response);
  } catch (err) {
    throw explainScopeRefusal(mapProtocolError(err), err, ctx, scopes, [
      ...o.scopes,
      ...(o.extraScopesToConsent ?? []),
    ]);
  }
  const now = Date.now();
  const expiresAt = now + started.expires_in * 1000;
  const deadline = Math.min(expiresAt, o.timeoutMs === undefined ? Infinity : now + o.timeoutMs);
  o.onPrompt({
    userCode: started.user_code,
    verificationUri: started.verification_uri,
    verificationUriComplete: started.verification_uri_complete,
    message: typeof started.message === 'string' ? started.message : undefined,
    expiresAt: new Date(expiresAt),
  });
  let interval = Math.min(
    Math.max(typeof started.interval === 'number' ? started.interval : DEFAULT_INTERVAL, 1),
    MAX_INTERVAL,
  );
  for (;;) {
    const pause = interval * 1000;
    if (Date.now() + pause > deadline) {
      // The wait ends at the deadline itself, not a poll interval before it.
      await wait(Math.max(0, deadline - Date.now()), o.signal);
      throw new TokenloopError(
        'TIMEOUT',
        deadline >= expiresAt
          ? 'the device code expired before sign-in finished'
          : 'device code sign-in timed out',
        {
          remediation: 'Run the sign-in again and complete it on the verification page in time.',
        },
      );
    }
    await wait(pause, o.signal);
    try {
      return await requestTokens(
        ctx,
        (as, pollClient, pollAuth) =>
          oauth.deviceCodeGrantRequest(
            as,
            pollClient,
            pollAuth,
            started.device_code,
            requestOptions(ctx, o.signal),
          ),
        oauth.processDeviceCodeResponse,
        {
          requestedScopes: o.scopes,
          requireIdToken: scopes.includes('openid'),
          signal: o.signal,
        },
      );
    } catch (err) {
      const mapped = mapProtocolError(err);
      if (mapped instanceof OAuthError && mapped.error === 'authorization_pending') continue;
      if (mapped instanceof OAuthError && mapped.error === 'slow_down') {
        interval = Math.min(interval + 5, MAX_INTERVAL);
        debug('flow', 'device polling slowed down', { interval });
        continue;
      }
      if (isTransient(mapped) && mapped.code !== 'CANCELLED') {
        debug('flow', 'device polling hit a transient failure; waiting', { error: mapped.message });
        continue;
      }
      throw mapped;
    }
  }
}
