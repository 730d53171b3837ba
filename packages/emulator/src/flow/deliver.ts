import type { EmulatorContext } from '../context.js';
import type { EntraError } from '../errors/entra-error.js';
import { redirect, sendPage } from '../http/respond.js';
import type { Exchange } from '../http/route.js';
import { errorPage, formPostPage } from '../pages/index.js';

export interface Destination {
  redirectUri: string;
  responseMode: 'query' | 'fragment' | 'form_post';
}

/** Sends authorization response fields to the client's redirect URI in the requested response mode. */
export function deliver(x: Exchange, to: Destination, fields: Record<string, string>): void {
  if (to.responseMode === 'form_post') {
    sendPage(x.res, 200, formPostPage({ action: to.redirectUri, fields }));
    return;
  }
  const params = new URLSearchParams(fields).toString();
  if (to.responseMode === 'fragment') {
    // The parsed form, as for query: the raw string may hold characters (a newline, a control character)
    // that URL parsing drops when matching but that are invalid in a Location header.
    redirect(x.res, `${new URL(to.redirectUri).href.split('#')[0]}#${params}`);
    return;
  }
  const url = new URL(to.redirectUri);
  for (const [k, v] of Object.entries(fields)) url.searchParams.append(k, v);
  redirect(x.res, url.href);
}

/** An authorization error sent back to a trusted redirect URI (RFC 6749 §4.1.2.1), with Entra's text. */
export function deliverError(x: Exchange, to: Destination, err: EntraError, state: string | undefined): void {
  deliver(x, to, {
    error: err.error,
    error_description: err.description,
    error_uri: `https://login.microsoftonline.com/error?code=${err.code}`,
    ...(err.suberror ? { suberror: err.suberror } : {}),
    ...(state !== undefined ? { state } : {}),
  });
}

/** Entra's own error page: for requests whose client or redirect URI cannot be trusted. */
export function showErrorPage(_ctx: EmulatorContext, x: Exchange, err: EntraError): void {
  sendPage(
    x.res,
    err.status >= 500 ? err.status : 400,
    errorPage({
      aadsts: err.code,
      error: err.error,
      message: err.message,
      traceId: err.traceId,
      correlationId: err.correlationId,
      timestamp: err.timestampText,
    }),
  );
}
