import type { EmulatorContext } from '../context.js';
import { bindToBrowser, newPageId, unbindBrowser } from '../flow/browser-binding.js';
import { boundRecordOf } from '../flow/page-records.js';
import { proceed, UI_PATHS } from '../flow/proceed.js';
import { newTransactionId } from '../flow/transaction.js';
import { isFormContentType, parseParams, readBody } from '../http/request.js';
import { sendPage } from '../http/respond.js';
import type { Exchange } from '../http/route.js';
import { deviceCodeEntryPage } from '../pages/index.js';
import type { DeviceEntry } from '../state/records.js';
import { DEVICE_PAGE_PATH, normaliseUserCode } from './device-authorization.js';

const ENTRY_LIFETIME_MS = 15 * 60_000;
const OVERALL = 'all';

function showEntry(
  x: Exchange,
  entry: DeviceEntry,
  o: { status?: number; error?: string; userCode?: string; retryAfter?: number } = {},
): void {
  sendPage(
    x.res,
    o.status ?? 200,
    deviceCodeEntryPage({
      action: UI_PATHS.deviceCode,
      tx: entry.id,
      ...(o.error ? { error: o.error } : {}),
      ...(o.userCode ? { userCode: o.userCode } : {}),
    }),
    o.retryAfter ? { 'Retry-After': String(o.retryAfter) } : {},
  );
}

/**
 * `GET /devicelogin` — the code entry page. Each showing gets an id bound to this browser (S85): its form is
 * accepted only from here, so another site's page cannot enter a code in the user's browser.
 */
export function devicePage(ctx: EmulatorContext, x: Exchange): void {
  const entry: DeviceEntry = { id: newPageId() };
  bindToBrowser(ctx, x, entry, ENTRY_LIFETIME_MS);
  ctx.state.deviceEntries.set(entry.id, entry, Date.now() + ENTRY_LIFETIME_MS);
  const prefill = x.query.get('otc') ?? x.query.get('user_code');
  showEntry(x, entry, prefill ? { userCode: normaliseUserCode(prefill) } : {});
}

/** S87: seconds this client must wait before its next code is looked at (wrong codes, its own and everyone's). */
function waitBeforeGuess(ctx: EmulatorContext, client: string): number {
  return Math.max(
    ctx.state.wrongCodesPerClient.waitSeconds(client),
    ctx.state.wrongCodesOverall.waitSeconds(OVERALL),
  );
}

/**
 * `POST /_ui/device-code` — a user code from the entry page: then the usual sign-in pages for that device
 * request, and the confirmation naming the app (S86). Only from the browser the page was shown in (S85);
 * wrong codes are throttled per client address and overall, and while throttled no code is looked at (S87).
 */
export async function deviceCodeSubmit(ctx: EmulatorContext, x: Exchange): Promise<void> {
  const p = parseParams(isFormContentType(x.req) ? await readBody(x.req) : '');
  const entry = boundRecordOf(
    ctx,
    x,
    p,
    ctx.state.deviceEntries,
    `The page expired. Open ${ctx.url}${DEVICE_PAGE_PATH} again and enter the code.`,
  );
  if (!entry) return;
  const code = normaliseUserCode(p.get('user_code') ?? '');
  const client = x.req.socket.remoteAddress ?? 'unknown';
  const wait = waitBeforeGuess(ctx, client);
  if (wait > 0) {
    return showEntry(x, entry, {
      status: 429,
      retryAfter: wait,
      userCode: code,
      error: `Too many wrong codes were entered. Wait ${wait} seconds, then try again.`,
    });
  }
  const deviceCode = code ? ctx.state.userCodes.get(code) : undefined;
  const record = deviceCode ? ctx.state.deviceCodes.get(deviceCode) : undefined;
  if (record?.status !== 'pending') {
    ctx.state.wrongCodesPerClient.fail(client);
    ctx.state.wrongCodesOverall.fail(OVERALL);
    return showEntry(x, entry, {
      userCode: code,
      error: "That code didn't work. Check the code and try again.",
    });
  }
  ctx.state.deviceEntries.delete(entry.id);
  unbindBrowser(ctx, x, entry);
  await proceed(ctx, x, {
    id: newTransactionId(),
    kind: 'device',
    tenantSegment: record.tenantSegment,
    clientId: record.clientId,
    redirectUri: '',
    responseType: 'code',
    responseMode: 'query',
    scopes: record.scopes,
    clientInfo: false,
    deviceCode: record.deviceCode,
  });
}
