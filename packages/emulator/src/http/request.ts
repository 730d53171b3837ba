import type { IncomingMessage } from 'node:http';
import { BodyTooLargeError } from '../errors/body-too-large-error.js';

/** Largest request body the emulator reads; Entra refuses far smaller bodies than this. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Reads the whole body up to {@link MAX_BODY_BYTES}; rejects with BodyTooLargeError past that. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      reject(new BodyTooLargeError('request body too large'));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new BodyTooLargeError('request body too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (err) => {
      if (!failed) {
        failed = true;
        reject(err);
      }
    });
  });
}

/**
 * Parameters of a request, with OAuth's rule that no parameter may appear twice (RFC 6749 §3.1).
 * `duplicates` lists names that did; handlers answer invalid_request for those.
 */
export interface Params {
  get(name: string): string | undefined;
  has(name: string): boolean;
  readonly duplicates: string[];
  entries(): [string, string][];
}

export function parseParams(source: string): Params {
  let search: URLSearchParams;
  try {
    search = new URLSearchParams(source);
  } catch {
    search = new URLSearchParams();
  }
  const map = new Map<string, string>();
  const duplicates: string[] = [];
  for (const [k, v] of search) {
    if (map.has(k)) duplicates.push(k);
    else map.set(k, v);
  }
  return {
    get: (name) => {
      const v = map.get(name);
      return v === undefined || v === '' ? undefined : v;
    },
    has: (name) => map.has(name),
    duplicates,
    entries: () => [...map.entries()],
  };
}

export function isFormContentType(req: IncomingMessage): boolean {
  const type = req.headers['content-type'] ?? '';
  return type.split(';')[0]!.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    const raw = part.slice(i + 1).trim();
    try {
      out.set(name, decodeURIComponent(raw));
    } catch {
      // a cookie we cannot decode is one we did not set
    }
  }
  return out;
}

/** Bearer token from the Authorization header only (RFC 6750 §2.1). */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const m = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)$/i.exec(header);
  return m?.[1];
}
