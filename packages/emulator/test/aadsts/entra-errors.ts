import * as assert from 'node:assert/strict';
import { redirectParams } from '../support/web-sign-in.ts';

/*
 * Every AADSTS error the emulator can produce is provoked over HTTP by the tests of this folder and checked
 * against Entra's wire shape (as observed from Entra): JSON at the token and device code endpoints, the error
 * page where the client or redirect URI cannot be trusted, and the redirect back to the client for the rest of
 * the authorize errors. This module holds those three checks.
 */

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/;

type Json = Record<string, unknown>;

export function assertDescription(
  description: unknown,
  code: number,
): { trace: string; corr: string; ts: string } {
  assert.equal(typeof description, 'string');
  const m =
    /^AADSTS(\d+): (.+)\r\nTrace ID: ([^\r\n]+)\r\nCorrelation ID: ([^\r\n]+)\r\nTimestamp: ([^\r\n]+)$/s.exec(
      description as string,
    );
  assert.ok(m, `error_description has Entra's shape: ${JSON.stringify(description)}`);
  assert.equal(Number(m[1]), code);
  assert.ok(m[2]!.trim().length > 0);
  assert.match(m[3]!, GUID);
  assert.match(m[4]!, GUID);
  assert.match(m[5]!, TIMESTAMP);
  return { trace: m[3]!, corr: m[4]!, ts: m[5]! };
}

/** A JSON error answer: its HTTP status, `error`, AADSTS code and `suberror` (none when left out). */
export interface Expected {
  status: number;
  error: string;
  code: number;
  suberror?: string;
}

/** A JSON error in Entra's shape; returns the body for further checks. */
export async function expectError(res: Response, exp: Expected): Promise<Json> {
  const text = await res.text();
  assert.equal(res.status, exp.status, `status for AADSTS${exp.code}: ${text}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.match(res.headers.get('cache-control') ?? '', /\bno-store\b/);
  const body = JSON.parse(text) as Json;
  assert.equal(body.error, exp.error);
  assert.deepEqual(body.error_codes, [exp.code]);
  assert.match(String(body.timestamp), TIMESTAMP);
  assert.match(String(body.trace_id), GUID);
  assert.match(String(body.correlation_id), GUID);
  const d = assertDescription(body.error_description, exp.code);
  assert.equal(d.trace, body.trace_id);
  assert.equal(d.corr, body.correlation_id);
  assert.equal(d.ts, body.timestamp);
  assert.equal(body.suberror, exp.suberror, 'suberror');
  return body;
}

/** Entra's own error page: HTML, status 400 (or the 5xx), never a redirect. */
export async function expectErrorPage(res: Response, code: number, error: string): Promise<string> {
  const html = await res.text();
  assert.equal(res.status, 400, `status of the AADSTS${code} page`);
  assert.equal(res.headers.get('location'), null, 'no redirect');
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(res.headers.get('cache-control') ?? '', /\bno-store\b/);
  assert.ok(html.includes(`AADSTS${code}: `), `page names AADSTS${code}`);
  const field = (label: string) =>
    new RegExp(`<dt>${label}</dt><dd class="mono">([^<]*)</dd>`).exec(html)?.[1] ?? '';
  assert.equal(field('Error'), error);
  assert.match(field('Request Id \\(Trace ID\\)'), GUID);
  assert.match(field('Correlation ID'), GUID);
  assert.match(field('Timestamp'), TIMESTAMP);
  return html;
}

/** The parameters of a 302 back to the client, in the query (the code flow's response mode). */
export function queryParams(res: Response, redirectUri: string): URLSearchParams {
  const params = redirectParams(res, redirectUri);
  assert.equal(new URL(res.headers.get('location')!).hash, '', 'answered in the query, not the fragment');
  return params;
}

/** An error sent back to the client's redirect URI: `error`, AADSTS code, `state` and `suberror`. */
export interface RedirectError {
  error: string;
  code: number;
  state?: string;
  suberror?: string;
}

export function expectRedirectError(res: Response, redirectUri: string, exp: RedirectError): void {
  const p = queryParams(res, redirectUri);
  assert.equal(p.get('code'), null);
  assert.equal(p.get('error'), exp.error);
  assertDescription(p.get('error_description'), exp.code);
  assert.equal(p.get('state'), exp.state ?? null);
  assert.equal(p.get('suberror'), exp.suberror ?? null);
}
