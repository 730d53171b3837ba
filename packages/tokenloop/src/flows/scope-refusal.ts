import * as oauth from 'oauth4webapi';
import type { GrantContext } from '../model/grant-context.js';
import { OAuthError, type TokenloopError } from '../errors/errors.js';
import { isScopeToken } from '../model/scope-syntax.js';

/** The scope(s) an invalid_scope answer names (oidc-provider and others add a `scope` member), if any. */
function namedByProvider(err: unknown, sent: readonly string[]): string[] {
  let value: unknown;
  if (err instanceof oauth.AuthorizationResponseError) value = err.cause.get('scope');
  else if (err instanceof oauth.ResponseBodyError && typeof err.cause === 'object' && err.cause !== null)
    value = (err.cause as Record<string, unknown>).scope;
  if (typeof value !== 'string') return [];
  // Only scopes this request sent are named: the text is the provider's, and shown to a person.
  return value.split(' ').filter((s) => isScopeToken(s) && sent.includes(s));
}

/**
 * A sign-in request refused with `invalid_scope` (RFC 6749 §4.1.2.1, RFC 8628 §3.2): the error names the
 * refused scope — the one the provider names, else those it does not advertise, else every scope sent but
 * `openid` — and says what to change. Any other error is returned as it is.
 */
export function explainScopeRefusal(
  mapped: TokenloopError,
  original: unknown,
  ctx: GrantContext,
  sent: readonly string[],
  asked: readonly string[],
): TokenloopError {
  if (!(mapped instanceof OAuthError) || mapped.error !== 'invalid_scope') return mapped;
  const supported = ctx.server.as.scopes_supported;
  let refused = namedByProvider(original, sent);
  if (refused.length === 0 && Array.isArray(supported)) refused = sent.filter((s) => !supported.includes(s));
  if (refused.length === 0) refused = sent.filter((s) => s !== 'openid');
  const list = refused.map((s) => `"${s}"`).join(', ');
  const client = `client "${ctx.options.clientId}"`;
  const ours = refused.filter((s) => !asked.includes(s));
  const remediation =
    ours.length > 0 && ours.length === refused.length
      ? `The provider advertises ${list} in its scopes_supported but refuses it for ${client}: allow it for this client at the provider.`
      : `Leave ${list} out of the requested scopes, or allow ${refused.length > 1 ? 'them' : 'it'} for ${client} at the provider` +
        (refused.includes('offline_access')
          ? ' (without offline_access a provider may issue no refresh token: sign-in then lasts as long as its session).'
          : '.');
  const explained = new OAuthError(
    {
      error: mapped.error,
      error_description: mapped.error_description,
      status: mapped.status,
      aadsts: mapped.aadsts,
      suberror: mapped.suberror,
      claims: mapped.claims,
      correlation_id: mapped.correlationId,
    },
    mapped.errorClass,
    remediation,
    mapped.reason,
  );
  const said = mapped.error_description?.split(/\r?\n/)[0]?.trim();
  explained.message = `the provider refused the scope${refused.length > 1 ? 's' : ''} ${list} (invalid_scope${said ? `: ${said}` : ''})`;
  return explained;
}
