import { redact, redactString } from './redact.js';

/**
 * Debug logging, off unless `TOKENLOOP_DEBUG` is set (`1`/`*` for everything, or a comma list of areas such
 * as `http,cache`). Lines go to stderr; every value passes through redaction first, so tokens, secrets and
 * Authorization headers never reach the log.
 */
export type DebugArea = 'http' | 'cache' | 'flow' | 'discovery' | 'lock';

let enabled: Set<string> | 'all' | undefined;
let sink: (line: string) => void = (line) => process.stderr.write(`${line}\n`);

function areas(): Set<string> | 'all' {
  if (enabled) return enabled;
  const v = process.env.TOKENLOOP_DEBUG?.trim() ?? '';
  enabled =
    v === '' || v === '0'
      ? new Set()
      : v === '1' || v === '*' || v === 'true'
        ? 'all'
        : new Set(v.split(','));
  return enabled;
}

/** True when debug output for `area` is on (cheap; call before building expensive messages). */
export function debugEnabled(area: DebugArea): boolean {
  const a = areas();
  return a === 'all' || a.has(area);
}

/** Write one redacted debug line for `area`. */
export function debug(area: DebugArea, message: string, fields?: Record<string, unknown>): void {
  if (!debugEnabled(area)) return;
  const extra = fields ? ` ${JSON.stringify(redact(fields))}` : '';
  sink(`tokenloop:${area} ${redactString(message)}${extra}`);
}

/** For tests: capture debug output and re-read `TOKENLOOP_DEBUG`. */
export function setDebugSink(next: ((line: string) => void) | undefined): void {
  sink = next ?? ((line) => process.stderr.write(`${line}\n`));
  enabled = undefined;
}
