/**
 * Token-endpoint calls as a browser page would make them (with its `Origin`) and as a server would (without),
 * for the single-page-app tests. Written from RFC 6749 / 7636 and Entra's docs, independent of the emulator.
 */
import assert from 'node:assert/strict';
import type { RunningEmulator } from '../../src/index.ts';
import { authorizeAuto, authorizeUrl, pkce } from '../support/flows.ts';

export interface TokenAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** POSTs a form to the token endpoint; `origin` is the page the browser would name, or none for a server. */
export async function tokenCall(
  e: RunningEmulator,
  tenant: string,
  params: Record<string, string>,
  origin?: string,
  query = '',
): Promise<TokenAnswer> {
  const res = await fetch(`${e.url}/${tenant}/oauth2/v2.0/token${query}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded;charset=utf-8',
      ...(origin ? { origin } : {}),
    },
    body: new URLSearchParams(params).toString(),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

/** An authorization code from the auto-login emulator for `redirectUri`, with a PKCE verifier unless `noPkce`. */
export async function codeFor(
  e: RunningEmulator,
  tenant: string,
  clientId: string,
  redirectUri: string,
  opts: { scope?: string; noPkce?: boolean } = {},
): Promise<{ code: string; verifier?: string }> {
  const { verifier, challenge } = pkce();
  const auth = await authorizeAuto(
    authorizeUrl(e.url, tenant, {
      client_id: clientId,
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: opts.scope ?? 'openid profile offline_access User.Read',
      response_mode: 'fragment',
      ...(opts.noPkce ? {} : { code_challenge: challenge, code_challenge_method: 'S256' }),
    }),
  );
  const code = auth.params.get('code');
  assert.ok(code, `authorize answered ${auth.status} with ${auth.params.get('error') ?? 'no code'}`);
  return { code, ...(opts.noPkce ? {} : { verifier }) };
}

/** The AADSTS code of an error answer. */
export function aadsts(a: TokenAnswer): number | undefined {
  return (a.body.error_codes as number[] | undefined)?.[0];
}

/** The answer's CORS permission for a page, as a browser reads it. */
export function allowOrigin(a: { headers: Headers }): string | null {
  return a.headers.get('access-control-allow-origin');
}
