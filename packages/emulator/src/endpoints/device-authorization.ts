import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { EmulatorContext } from '../context.js';
import { recordConsent } from '../directory/consent.js';
import { checkUserBelongs } from '../flow/user-checks.js';
import type { App } from '../directory/model.js';
import { requireApp } from '../directory/require-app.js';
import { resolveTenant } from '../directory/tenants.js';
import { EntraError } from '../errors/entra-error.js';
import { isFormContentType, parseParams, readBody } from '../http/request.js';
import { sendJson } from '../http/respond.js';
import type { Exchange } from '../http/route.js';
import type { DeviceCodeRecord } from '../state/records.js';
import { parseScopes } from '../directory/scopes.js';

const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ23456789';
export const DEVICE_PAGE_PATH = '/devicelogin';

function userCode(): string {
  let out = '';
  for (let i = 0; i < 9; i++) out += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return out;
}

/** A user code as typed (spaces, dashes, lower case) in the form it was issued. */
export function normaliseUserCode(raw: string): string {
  return raw.replace(/[\s-]/g, '').toUpperCase().slice(0, 32);
}

/**
 * The auto-login user approves the code at once, as on the device page, and is refused as the page refuses a user
 * of another tenant (AADSTS50020; the user's scenario switches answer the poll, as before). Refused, the code stays
 * pending, as at Entra, where the refusal shows on the page and never reaches the polling device: the emulator's
 * log stands in for that page.
 */
function autoApprove(ctx: EmulatorContext, app: App, record: DeviceCodeRecord): void {
  const user = ctx.autoLoginUserId ? ctx.directory.users.get(ctx.autoLoginUserId) : undefined;
  if (!user) return;
  try {
    checkUserBelongs(ctx, app, user, record.tenantSegment);
  } catch (err) {
    if (!(err instanceof EntraError)) throw err;
    ctx.log(`--auto-login: device code not approved: AADSTS${err.code}: ${err.message}`);
    return;
  }
  record.status = 'approved';
  record.userId = user.id;
  record.authTime = Math.floor(Date.now() / 1000);
  // As at /authorize: the auto-login user consents to what was asked (the device page records it otherwise).
  recordConsent(ctx, app, user, record.scopes);
}

/** `POST /{tenant}/oauth2/v2.0/devicecode` (RFC 8628 §3.1–3.2, Entra's shape: no verification_uri_complete). */
export async function deviceAuthorization(ctx: EmulatorContext, x: Exchange): Promise<void> {
  if (x.method !== 'POST') throw new EntraError(900561, { method: x.method });
  const p = parseParams(isFormContentType(x.req) ? await readBody(x.req) : '');
  const tenant = resolveTenant(ctx.directory, x.params.tenant!);
  if (p.duplicates.length)
    throw new EntraError(9002313, { detail: `Parameter '${p.duplicates[0]}' is duplicated.` });
  const clientId = p.get('client_id');
  if (!clientId) throw new EntraError(900144, { name: 'client_id' });
  const app = requireApp(ctx, clientId, tenant.segment);
  if (!app.allowPublicClientFlows) throw new EntraError(7000218);
  const scope = p.get('scope');
  if (!scope) throw new EntraError(900144, { name: 'scope' });
  const scopes = parseScopes(ctx.directory, scope, tenant.segment);
  const lifetime = ctx.settings.deviceCodeLifetime;
  const record: DeviceCodeRecord = {
    deviceCode: `DAQAB${randomBytes(64).toString('base64url')}`,
    userCode: userCode(),
    clientId: app.clientId,
    tenantSegment: tenant.segment,
    scopes,
    interval: ctx.settings.deviceCodeInterval,
    status: 'pending',
    grantId: randomUUID(),
  };
  const expiresAt = Date.now() + lifetime * 1000;
  if (ctx.autoLoginUserId) autoApprove(ctx, app, record);
  ctx.state.deviceCodes.set(record.deviceCode, record, expiresAt);
  ctx.state.userCodes.set(record.userCode, record.deviceCode, expiresAt);
  const verificationUri = `${ctx.url}${DEVICE_PAGE_PATH}`;
  sendJson(
    x.res,
    200,
    {
      user_code: record.userCode,
      device_code: record.deviceCode,
      verification_uri: verificationUri,
      expires_in: lifetime,
      interval: record.interval,
      message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${record.userCode} to authenticate.`,
    },
    { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' },
  );
}
