// Fuzz run knobs (environment) and the bounds the run must stay within.
export const SEED = Number(process.env['FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 31)) >>> 0 || 1;
/** Actions to run; one action is one request, or a few (a sign-in flow, a raw pipelined pair). */
export const ACTIONS = Number(process.env['FUZZ_ACTIONS'] ?? 16_000);
export const WARMUP_ACTIONS = 1_500;
export const CONCURRENCY = Number(process.env['FUZZ_CONCURRENCY'] ?? 32);
export const MIN_REQUESTS = 10_000;
/** Hard bounds: no more requests than this, and no new action once the time budget is spent. */
export const MAX_REQUESTS = 30_000;
// A safety bound so a broken run ends, not a speed target: a normal run takes ~15 s.
export const TIME_BUDGET_MS = 240_000;
export const RSS_GROWTH_LIMIT = 64 * 1024 * 1024;
export const HEAP_GROWTH_LIMIT = 32 * 1024 * 1024;
