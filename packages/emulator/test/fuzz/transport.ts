// Fuzz transports: sending through undici or on raw sockets, and the record of what the run saw (stats).
import { connect } from 'node:net';
import { Pool } from 'undici';
import type { HttpRequest } from './requests.ts';

export interface Offence {
  index: number;
  label: string;
  what: string;
}

export const stats = {
  requests: 0,
  raw: 0,
  byStatus: new Map<number, number>(),
  byLabel: new Map<string, number>(),
  expectedResets: 0,
  fallbacksToRaw: 0,
  fiveHundreds: [] as Offence[],
  clientErrors: [] as Offence[],
  validFlowFailures: [] as Offence[],
};

/** Actions under way, by index, with what they are sending (for FUZZ_DEBUG). */
export const inFlight = new Map<number, string>();

/** Never show a token, code, secret or long opaque value in a failure message. */
export function redact(s: string): string {
  return s
    .replace(/eyJ[\w-]*\.[\w-]*\.?[\w-]*/g, '<jwt>')
    .replace(/\b1\.[\w-]{20,}/g, '<code-or-refresh-token>')
    .replace(/DAQAB[\w-]+/g, '<device-code>')
    .replace(/tl-sample-[\w-]+/g, '<secret>')
    .replace(/tokenloop_sso=[^;\s&]+/g, 'tokenloop_sso=<session>')
    .replace(/[A-Za-z0-9_\-+/=%.]{64,}/g, (m) => `<${m.length} chars>`)
    .replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .slice(0, 300);
}

export function describeRequest(req: HttpRequest): string {
  const type = req.headers['content-type'];
  return `${req.method.slice(0, 12)} ${req.path}${type !== undefined ? ` [content-type: ${type}]` : ''}${req.body !== undefined ? ` body(${req.body.length}): ${req.body}` : ''}`;
}

export function count(label: string, status: number | undefined): void {
  stats.requests++;
  stats.byLabel.set(label, (stats.byLabel.get(label) ?? 0) + 1);
  if (status !== undefined) stats.byStatus.set(status, (stats.byStatus.get(status) ?? 0) + 1);
}

let pool: Pool;
let port = 0;

/** Points every send at the emulator at `url` (one pool of `connections`); returns the pool. */
export function openPool(url: string, connections: number): Pool {
  port = Number(new URL(url).port);
  pool = new Pool(url, {
    connections,
    pipelining: 1,
    headersTimeout: 15_000,
    bodyTimeout: 15_000,
    maxHeaderSize: 1024 * 1024,
  });
  return pool;
}

export interface Answer {
  status: number | undefined;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * Whether undici would refuse the request (it validates method, path and header values). Such requests go out
 * on a raw socket instead: handing them to undici leaves its pool stuck (undici 7.30).
 */
export function undiciRefuses(req: HttpRequest): boolean {
  return (
    !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(req.method) ||
    /[^\u0021-\u00ff]/.test(req.path) ||
    Object.values(req.headers).some((v) => /[^\t\u0020-\u007e\u0080-\u00ff]/.test(v))
  );
}

export function sendRaw(index: number, label: string, req: HttpRequest): Promise<Answer> {
  stats.fallbacksToRaw++;
  const head = Object.entries(req.headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const body = req.body ?? '';
  const length = req.body !== undefined ? `content-length: ${Buffer.byteLength(body)}\r\n` : '';
  return raw(
    index,
    label,
    [
      Buffer.from(
        `${req.method} ${req.path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n${head}${length}\r\n${body}`,
        'utf8',
      ),
    ],
    { expectResponse: true, mayReset: !!req.mayReset, what: describeRequest(req) },
  );
}

export async function send(index: number, label: string, req: HttpRequest): Promise<Answer> {
  if (inFlight.has(index)) inFlight.set(index, redact(describeRequest(req)).slice(0, 150));
  if (undiciRefuses(req)) return sendRaw(index, label, req);
  try {
    const res = await pool.request({
      method: req.method,
      path: req.path,
      headers: req.headers,
      ...(req.body !== undefined ? { body: req.body } : {}),
    });
    const body = await res.body.text();
    if (process.env['FUZZ_DEBUG'] === '2')
      console.log(`#${index} ${res.statusCode} ${redact(describeRequest(req)).slice(0, 200)}`);
    count(label, res.statusCode);
    if (res.statusCode >= 500)
      stats.fiveHundreds.push({
        index,
        label,
        what: `${res.statusCode} for ${redact(describeRequest(req))}`,
      });
    return { status: res.statusCode, headers: res.headers, body };
  } catch (err) {
    const code = (err as { code?: string }).code ?? (err as Error).name;
    count(label, undefined);
    if (req.mayReset) stats.expectedResets++;
    else stats.clientErrors.push({ index, label, what: `${code} for ${redact(describeRequest(req))}` });
    return { status: undefined, headers: {}, body: '' };
  }
}

export interface RawOptions {
  /** A complete request: no answer within 10 s is a hang. */
  expectResponse: boolean;
  /** Close the socket this long after writing (a truncated or aborted request). */
  closeAfterMs?: number;
  mayReset?: boolean;
  what: string;
}

/** Writes bytes on a fresh connection and reads whatever comes back; checks every status line. */
export function raw(
  index: number,
  label: string,
  chunks: (string | Buffer)[],
  o: RawOptions,
): Promise<Answer> {
  stats.raw++;
  if (inFlight.has(index)) inFlight.set(index, `raw ${redact(o.what).slice(0, 100)}`);
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(received).toString('latin1');
      const statuses = [...text.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));
      count(label, statuses[0]);
      for (const s of statuses.slice(1)) stats.byStatus.set(s, (stats.byStatus.get(s) ?? 0) + 1);
      const bad = statuses.filter((s) => s >= 500);
      if (bad.length)
        stats.fiveHundreds.push({ index, label, what: `${bad.join(',')} for raw ${redact(o.what)}` });
      if (o.expectResponse && statuses.length === 0) {
        if (o.mayReset) stats.expectedResets++;
        else
          stats.clientErrors.push({
            index,
            label,
            what: `${error ?? 'no response'} for raw ${redact(o.what)}`,
          });
      }
      if (process.env['FUZZ_DEBUG'] === '2')
        console.log(`#${index} raw ${statuses.join(',')} ${redact(o.what).slice(0, 200)}`);
      resolve({ status: statuses[0], headers: {}, body: text });
    };
    const timer = setTimeout(() => finish('no response within 10 s'), 10_000);
    socket.on('data', (d: Buffer) => {
      if (size < 512 * 1024) received.push(d);
      size += d.length;
    });
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // The server may close while a too-large request is still being written; what it answered counts.
      if (!o.mayReset && o.expectResponse && received.length === 0) finish(err.code);
      else finish();
    });
    socket.on('connect', () => {
      for (const c of chunks) socket.write(c);
      if (o.closeAfterMs !== undefined) setTimeout(() => finish(), o.closeAfterMs);
    });
  });
}
