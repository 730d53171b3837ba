import type { ServerResponse } from 'node:http';
import type { RenderedPage } from '../pages/index.js';

export type Headers = Record<string, string | number | string[]>;

const SECURITY_HEADERS: Headers = {
  'X-Content-Type-Options': 'nosniff',
  // Never a Referer to another origin; to the emulator itself, so that its pages' own posts carry their real
  // Origin (with no-referrer a browser sends `Origin: null`, indistinguishable from a sandboxed frame) (S85).
  'Referrer-Policy': 'same-origin',
};

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Headers = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendPage(
  res: ServerResponse,
  status: number,
  page: RenderedPage,
  headers: Headers = {},
): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(page.html),
    'Content-Security-Policy': page.csp,
    'X-Frame-Options': 'DENY',
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(page.html);
}

export function redirect(res: ServerResponse, location: string, headers: Headers = {}): void {
  res.writeHead(302, { ...SECURITY_HEADERS, Location: location, 'Cache-Control': 'no-store', ...headers });
  res.end();
}

export function sendText(res: ServerResponse, status: number, text: string, headers: Headers = {}): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export interface CookieOptions {
  maxAge?: number;
  path?: string;
  secure: boolean;
  sameSite?: 'Lax' | 'None' | 'Strict';
}

export function cookie(name: string, value: string, o: CookieOptions): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${o.path ?? '/'}`, 'HttpOnly'];
  parts.push(`SameSite=${o.sameSite ?? 'Lax'}`);
  if (o.secure || o.sameSite === 'None') parts.push('Secure');
  if (o.maxAge !== undefined) parts.push(`Max-Age=${o.maxAge}`);
  return parts.join('; ');
}
