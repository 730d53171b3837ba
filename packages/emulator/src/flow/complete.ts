import { randomBytes, randomUUID } from 'node:crypto';
import type { EmulatorContext } from '../context.js';
import type { App, User } from '../directory/model.js';
import { sendPage } from '../http/respond.js';
import type { Exchange } from '../http/route.js';
import { deviceCodeDonePage } from '../pages/index.js';
import type { AuthorizeTransaction } from '../state/records.js';
import { clientInfo } from '../tokens/claims.js';
import { issueIdToken } from '../tokens/issue.js';
import { issueV1IdToken } from '../tokens/v1-id-token.js';
import { EntraError } from '../errors/entra-error.js';
import { deliver, showErrorPage } from './deliver.js';
import { matchesRedirectUri } from '../directory/redirect-uri.js';

/** Finishes a transaction for `user`: approves the device code, or answers with what response_type asked for. */
export async function completeAuthorize(
  ctx: EmulatorContext,
  x: Exchange,
  tx: AuthorizeTransaction,
  app: App,
  user: User,
): Promise<void> {
  const authTime = tx.authTime ?? Math.floor(Date.now() / 1000);
  if (tx.kind === 'device') {
    const record = tx.deviceCode ? ctx.state.deviceCodes.get(tx.deviceCode) : undefined;
    if (record?.status !== 'pending') {
      // Expired, declined, or approved meanwhile in another browser: a code is approved once, by one user.
      showErrorPage(
        ctx,
        x,
        new EntraError(9002313, {
          detail: 'The code has expired or was already used. Start the sign-in again on your device.',
        }),
      );
      return;
    }
    record.status = 'approved';
    record.userId = user.id;
    record.authTime = authTime;
    sendPage(x.res, 200, deviceCodeDonePage({ appName: app.name, approved: true }));
    return;
  }
  // Only what response_type asked for: `code`, `code id_token` (hybrid) or `id_token` (implicit, no code).
  const types = tx.responseType.split(' ');
  const fields: Record<string, string> = {};
  const grantId = randomUUID();
  const code = types.includes('code') ? issueCode(ctx, tx, app, user, authTime, grantId) : undefined;
  if (code !== undefined) fields.code = code;
  if (types.includes('id_token') && tx.idTokenVersion === 1) {
    fields.id_token = await issueV1IdToken(ctx, {
      user,
      clientId: app.clientId,
      ...(code !== undefined ? { code } : {}),
      ...(tx.nonce !== undefined ? { nonce: tx.nonce } : {}),
    });
  } else if (types.includes('id_token')) {
    fields.id_token = await issueIdToken(ctx, {
      app,
      user,
      scopes: tx.scopes,
      authTime,
      grantId,
      authLevel: '0',
      clientInfo: false,
      ...(code !== undefined ? { code } : {}),
      ...(tx.nonce !== undefined ? { nonce: tx.nonce } : {}),
      includeAuthTime: tx.maxAge !== undefined,
    });
  }
  if (tx.state !== undefined) fields.state = tx.state;
  fields.session_state = randomUUID();
  if (tx.clientInfo) fields.client_info = clientInfo(user.id, user.tenantId);
  deliver(x, { redirectUri: tx.redirectUri, responseMode: tx.responseMode }, fields);
}

/** A single-use authorization code for the transaction's client, redirect URI, scopes and PKCE challenge. */
function issueCode(
  ctx: EmulatorContext,
  tx: AuthorizeTransaction,
  app: App,
  user: User,
  authTime: number,
  grantId: string,
): string {
  const code = `1.${randomBytes(96).toString('base64url')}`;
  ctx.state.codes.set(
    code,
    {
      clientId: app.clientId,
      redirectUri: tx.redirectUri,
      userId: user.id,
      tenantId: user.tenantId,
      scopes: tx.scopes,
      ...(tx.nonce !== undefined ? { nonce: tx.nonce } : {}),
      ...(tx.codeChallenge !== undefined ? { codeChallenge: tx.codeChallenge } : {}),
      ...(tx.codeChallengeMethod !== undefined ? { codeChallengeMethod: tx.codeChallengeMethod } : {}),
      authTime,
      grantId,
      redeemed: false,
      // Sent to a redirect URI of the spa platform (when a loopback URI of another platform matches on its
      // port-less form too, the spa one is taken).
      ...(matchesRedirectUri(app.spaRedirectUris, tx.redirectUri) ? { spa: true } : {}),
    },
    Date.now() + ctx.settings.codeLifetime * 1000,
  );
  return code;
}
