import * as oauth from 'oauth4webapi';
import type { GrantContext } from '../model/grant-context.js';
import { mapProtocolError } from './map-errors.js';
import { asClient, endpoint, requestOptions } from './protocol.js';

/**
 * Fetch the userinfo claims with an access token sent in the Authorization header (S19); the response's
 * `sub` must equal the ID token's, else the claims are discarded (S37).
 */
export async function userInfo(
  ctx: GrantContext,
  accessToken: string,
  expectedSubject: string,
  signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  endpoint(ctx, 'userinfo_endpoint', 'userinfo');
  try {
    const response = await oauth.userInfoRequest(
      ctx.server.as,
      asClient(ctx),
      accessToken,
      requestOptions(ctx, signal),
    );
    const claims = await oauth.processUserInfoResponse(
      ctx.server.as,
      asClient(ctx),
      expectedSubject,
      response,
    );
    return { ...claims };
  } catch (err) {
    throw mapProtocolError(err);
  }
}
