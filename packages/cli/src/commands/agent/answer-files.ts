// The token agent keeps its answers as records (agent-wire/answer-record.ts) that the next identical
// `tokenloop token` reads with `fs` alone (fast-path/answer-file.ts), so that it needs no socket (issue 14). S220:
// only in the agent's private socket folder, only on a memory file system (a token is never written to a disk in
// the clear), 0600 through the one private-file writer; removed when the agent starts and stops, pruned as they
// expire (S223).
import { readdirSync, rmSync, statSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDirectorySync, readPrivateFileSync, writePrivateFile } from 'tokenloop/private-files';
import type { FastAnswer } from '../../fast-path/token-fast-path.js';
import {
  type AnswerRecord,
  MAX_RECORDS,
  MAX_RECORD_AGE_MS,
  answerFile,
  answersFolder,
  parseAnswerRecord,
  sourceStamp,
} from '../../agent-wire/answer-record.js';
import type { AgentRequest } from '../../agent-wire/agent-protocol.js';

/** S220: the file systems that live in memory only (Linux statfs f_type: tmpfs, ramfs). */
const MEMORY_FILE_SYSTEMS = new Set([0x01021994, 0x858458f6]);

/** S220: whether `folder` lies on a memory file system (never true where statfs cannot tell). */
export function onMemoryFileSystem(folder: string): boolean {
  try {
    return MEMORY_FILE_SYSTEMS.has(statfsSync(folder).type);
  } catch {
    return false;
  }
}

type TokenRequest = Extract<AgentRequest, { op: 'token' }>;

/** One run of the fast path for a request, with the environment variables it read (whole: it listed them). */
export interface RecordedRun {
  answer: FastAnswer;
  env: Record<string, string | null>;
  wholeEnv: boolean;
}

/** `request.env` as the fast path sees it, recording every variable it reads (S221: the record's conditions). */
export function recordingEnv(env: Record<string, string>): {
  env: NodeJS.ProcessEnv;
  read: () => { env: Record<string, string | null>; wholeEnv: boolean };
} {
  const read = new Set<string>();
  let whole = false;
  const proxy = new Proxy(env, {
    get: (target, key) => {
      if (typeof key === 'string') read.add(key);
      return Reflect.get(target, key);
    },
    has: (target, key) => {
      if (typeof key === 'string') read.add(key);
      return Reflect.has(target, key);
    },
    ownKeys: (target) => {
      whole = true;
      return Reflect.ownKeys(target);
    },
  });
  return {
    env: proxy,
    read: () => {
      const seen: Record<string, string | null> = {};
      for (const k of read) seen[k] = Object.hasOwn(env, k) ? (env[k] ?? null) : null;
      return { env: seen, wholeEnv: whole };
    },
  };
}

/** The agent's records: where they are kept, or undefined when they are not (S220). */
export interface AnswerFiles {
  folder: string;
  /**
   * S221: keep `first` (the answer the caller got) when a second run of the request, between two looks at the
   * files it came from, gives the same text from files that did not change meanwhile — so the record never
   * holds an answer computed from files other than those it names.
   */
  keep(request: TokenRequest, first: RecordedRun, rerun: () => Promise<RecordedRun>): Promise<void>;
  /** S223: remove every record (the agent starts or stops). */
  clear(): void;
}

/** The answer records of an agent whose socket is in `socketFolder`, or undefined when not on memory (S220). */
export function answerFiles(socketFolder: string, build: string): AnswerFiles | undefined {
  if (!onMemoryFileSystem(socketFolder)) return undefined;
  const folder = answersFolder(socketFolder);
  const clear = () => rmSync(folder, { recursive: true, force: true });
  return {
    folder,
    clear,
    async keep(request, first, rerun) {
      const start = Date.now();
      const reuse = 'stdout' in first.answer ? first.answer.reuse : undefined;
      if (!reuse || first.wholeEnv) return;
      const before = reuse.sources.map(sourceStamp);
      const second = await rerun();
      if (!('stdout' in second.answer) || !('stdout' in first.answer) || second.wholeEnv) return;
      const again = second.answer.reuse;
      if (second.answer.stdout !== first.answer.stdout || !again) return;
      if (again.sources.join('\n') !== reuse.sources.join('\n')) return;
      const after = again.sources.map(sourceStamp);
      if (after.some((stamp, i) => stamp !== before[i])) return; // a file changed meanwhile: nothing kept
      const record: AnswerRecord = {
        v: 1,
        build,
        args: [...request.args],
        cwd: request.cwd,
        env: { ...first.env, ...second.env },
        sources: again.sources.map((path, i) => [path, after[i]!]),
        writtenAt: start,
        validUntil: Math.min(reuse.validUntil, again.validUntil),
        stdout: first.answer.stdout,
      };
      ensurePrivateDirectorySync(folder);
      prune(folder, Date.now());
      await writePrivateFile(
        answerFile(socketFolder, build, request.cwd, request.args),
        JSON.stringify(record),
      );
    },
  };
}

/** S223: records past their time go; of the rest, the oldest beyond MAX_RECORDS - 1 (room for one more). */
function prune(folder: string, now: number): void {
  const kept: { file: string; mtime: number }[] = [];
  for (const name of readdirSync(folder)) {
    const file = join(folder, name);
    const st = statSync(file, { throwIfNoEntry: false });
    if (!st) continue;
    const record = name.endsWith('.json') ? readRecord(file) : undefined;
    const expired = !record || now >= record.validUntil || now >= record.writtenAt + MAX_RECORD_AGE_MS;
    if (expired && now - st.mtimeMs > 1_000) rmSync(file, { force: true });
    else kept.push({ file, mtime: st.mtimeMs });
  }
  kept.sort((a, b) => a.mtime - b.mtime);
  for (const { file } of kept.slice(0, Math.max(0, kept.length - (MAX_RECORDS - 1))))
    rmSync(file, { force: true });
}

function readRecord(file: string): AnswerRecord | undefined {
  try {
    const read = readPrivateFileSync(file, { secret: true }); // S81: the one safe reader, for the agent's own too
    return read && parseAnswerRecord(read.data.toString('utf8'));
  } catch {
    return undefined;
  }
}
