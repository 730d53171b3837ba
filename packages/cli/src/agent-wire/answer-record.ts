// The token agent's answer records (docs/cli.md "The token agent"): an answer the agent gave, kept as a file in
// its private socket folder on a memory file system, so that the next identical `tokenloop token` reads it with
// `fs` alone — no socket module, no event-loop round trip (issue 14: the last milliseconds). Shared by the agent,
// which writes them (answer-files.ts), and the bin's client, which reads them (fast-path/answer-file.ts): one
// format, one rule for when a record still holds (S221).
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { isStrings, jsonObject } from './agent-protocol.js';

/** S221: the longest a record is used after it was written, whatever the token's lifetime. */
export const MAX_RECORD_AGE_MS = 10 * 60_000;
/** S221: a clock that went back more than this since the record was written makes it unusable. */
export const CLOCK_BACK_MS = 60_000;
/** S223: the most records the agent keeps. */
export const MAX_RECORDS = 64;

/**
 * S221: a file the answer was computed from, as it was then: device, inode, size, modification and change time
 * (nanoseconds), or its absence. Any write, replacement or removal changes it (the change time cannot be set
 * back by anyone but root).
 */
export type SourceStamp = string;

/** What an answer was computed from and how long it holds. */
export interface AnswerRecord {
  v: 1;
  build: string;
  args: string[];
  cwd: string;
  /** The environment variables the answer read, with their values (null: unset). */
  env: Record<string, string | null>;
  /** Each file the answer was computed from, with its stamp. */
  sources: [path: string, stamp: SourceStamp][];
  writtenAt: number;
  /** When the fast path would stop answering with this token (its refresh time). */
  validUntil: number;
  stdout: string;
}

/** The stamp of the file at `path` now (never follows a link at the last step; S81). */
export function sourceStamp(path: string): SourceStamp {
  const st = lstatSync(path, { bigint: true, throwIfNoEntry: false });
  if (!st) return 'absent';
  return `${st.dev}:${st.ino}:${st.mode}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

/** 64 bits of FNV-1a (two 32-bit lanes): a file name, not a check — the record holds its whole key. */
function fnv64(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x01000193) >>> 0;
    b = (b ^ (b >>> 13)) >>> 0;
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}

/** The answers' folder beside the agent's socket. */
export function answersFolder(socketFolder: string): string {
  return join(socketFolder, 'answers');
}

/** The file of the record for this build, folder and arguments. */
export function answerFile(
  socketFolder: string,
  build: string,
  cwd: string,
  args: readonly string[],
): string {
  return join(answersFolder(socketFolder), `${fnv64(JSON.stringify([build, cwd, args]))}.json`);
}

const isString = (v: unknown): v is string => typeof v === 'string';

/** A record off the file system, checked field by field; anything else is undefined (not used). */
export function parseAnswerRecord(text: string): AnswerRecord | undefined {
  const r = jsonObject(text);
  if (!r) return undefined;
  if (r.v !== 1 || !isString(r.build) || !isString(r.cwd) || !isString(r.stdout)) return undefined;
  if (!isStrings(r.args)) return undefined;
  if (typeof r.writtenAt !== 'number' || typeof r.validUntil !== 'number') return undefined;
  if (typeof r.env !== 'object' || r.env === null || Array.isArray(r.env)) return undefined;
  const env: Record<string, string | null> = {};
  for (const [k, value] of Object.entries(r.env)) {
    if (value !== null && !isString(value)) return undefined;
    env[k] = value;
  }
  if (!Array.isArray(r.sources)) return undefined;
  const sources: [string, SourceStamp][] = [];
  for (const s of r.sources as unknown[]) {
    if (!Array.isArray(s) || s.length !== 2 || !isString(s[0]) || !isString(s[1])) return undefined;
    sources.push([s[0], s[1]]);
  }
  return {
    v: 1,
    build: r.build,
    args: r.args,
    cwd: r.cwd,
    env,
    sources,
    writtenAt: r.writtenAt,
    validUntil: r.validUntil,
    stdout: r.stdout,
  };
}

/**
 * S221: whether `record` answers this request now: the same build, arguments and folder, every environment
 * variable it read as it was, every file it came from unchanged, its token not yet due for renewal, and written
 * less than MAX_RECORD_AGE_MS ago by a clock that has not gone back.
 */
export function recordHolds(
  record: AnswerRecord,
  request: { build: string; args: readonly string[]; cwd: string; env: NodeJS.ProcessEnv },
  now: number,
): boolean {
  if (record.build !== request.build || record.cwd !== request.cwd) return false;
  if (record.args.length !== request.args.length || record.args.some((a, i) => a !== request.args[i]))
    return false;
  if (now >= record.validUntil || now >= record.writtenAt + MAX_RECORD_AGE_MS) return false;
  if (now < record.writtenAt - CLOCK_BACK_MS) return false;
  for (const [k, value] of Object.entries(record.env))
    if ((Object.hasOwn(request.env, k) ? (request.env[k] ?? null) : null) !== value) return false;
  return record.sources.every(([path, stamp]) => sourceStamp(path) === stamp);
}
