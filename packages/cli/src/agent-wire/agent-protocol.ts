// The token agent's protocol (`tokenloop agent`, docs/cli.md): one JSON line asked, one JSON line answered, on
// a Unix socket in a private folder (config/paths.ts `agentSocketPath`). Shared by the bin's client (bundled
// into dist/fast/start.cjs) and the agent, so that both hold the same limits and the same build id.

/** S173: the most a request may hold (arguments, environment, folder); more is declined unread. */
export const MAX_REQUEST_BYTES = 256 * 1024;
/** S173: the most an answer may hold (a token in any format, or a decline). */
export const MAX_ANSWER_BYTES = 256 * 1024;
/** S173, S193: how long the agent waits for a request's line, from the connection on (a deadline). */
export const REQUEST_TIME_MS = 1_000;
/** S194: the most arguments, and their most characters in all, a token request the agent answers may have. */
export const MAX_REQUEST_ARGS = 64;
export const MAX_REQUEST_ARG_CHARS = 8 * 1024;

/**
 * S174: which build of the command line asks or answers: its version and the SHA-256 of its bundled fast path
 * (dist/fast/token.cjs). An agent answers only the build it is (an upgraded command line never gets an old
 * agent's answer).
 */
export function agentBuildId(version: string, bundleSha256: string): string {
  return `${version}+${bundleSha256}`;
}

/** A request: a token (`args`, `env`, `cwd` of the caller), or `ping` (status), or `stop`. */
export type AgentRequest =
  | { build: string; op: 'token'; args: string[]; env: Record<string, string>; cwd: string }
  | { build: string; op: 'ping' | 'stop' };

/** An answer: what to print, or why the agent leaves it to the command line; `ping` answers its state. */
export type AgentAnswer =
  { stdout: string } | { declined: string } | { pid: number; build: string; socket: string };

export const isStrings = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((s) => typeof s === 'string');

/** A JSON object from text off a socket or a file, to be checked field by field; anything else is undefined. */
export function jsonObject(text: string): Record<string, unknown> | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

/** S173: a request off the socket, checked field by field; anything else is undefined (declined). */
export function parseAgentRequest(line: string): AgentRequest | undefined {
  const r = jsonObject(line);
  if (!r) return undefined;
  if (typeof r.build !== 'string') return undefined;
  if (r.op === 'ping' || r.op === 'stop') return { build: r.build, op: r.op };
  if (r.op !== 'token' || !isStrings(r.args) || typeof r.cwd !== 'string') return undefined;
  if (typeof r.env !== 'object' || r.env === null || Array.isArray(r.env)) return undefined;
  const env: Record<string, string> = {};
  for (const [k, value] of Object.entries(r.env)) {
    if (typeof value !== 'string') return undefined;
    env[k] = value;
  }
  return { build: r.build, op: 'token', args: r.args, env, cwd: r.cwd };
}

/** An answer off the socket, checked; anything else is undefined (the caller falls back). */
export function parseAgentAnswer(line: string): AgentAnswer | undefined {
  const r = jsonObject(line);
  if (!r) return undefined;
  if (typeof r.stdout === 'string') return { stdout: r.stdout };
  if (typeof r.declined === 'string') return { declined: r.declined };
  if (typeof r.pid === 'number' && typeof r.build === 'string' && typeof r.socket === 'string')
    return { pid: r.pid, build: r.build, socket: r.socket };
  return undefined;
}
