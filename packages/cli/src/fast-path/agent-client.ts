// The client side of the token agent (`tokenloop agent`), bundled into dist/fast/start.cjs: the first thing
// `tokenloop token` tries, before anything heavy is loaded (issue 14). It connects to the agent's socket, asks
// once, and gives back the answer; an absent agent, a stale socket, a refusal, a decline or no answer in time
// is a decline, and the bin falls through to the fast path and the full command line, which print the same
// (S175).
import { agentSocketPath } from '../config/paths.js';
import { agentSocketTrust } from '../agent-wire/socket-trust.js';
import {
  type AgentAnswer,
  type AgentRequest,
  MAX_ANSWER_BYTES,
  parseAgentAnswer,
} from '../agent-wire/agent-protocol.js';
import { keptAnswer } from './answer-file.js';
import { printPathAnswer } from './path-answer.js';

/** S175: how long `tokenloop token` waits for the agent before it answers by itself. */
export const AGENT_WAIT_MS = 300;
/** With TOKENLOOP_TOKEN_PATH=agent (tests, the bench): the agent alone answers, so it may take longer. */
export const AGENT_ONLY_WAIT_MS = 10_000;

/** Ask the agent at `socket` one request; never throws: undefined when it does not answer in `waitMs`. */
export function askAgentRaw(
  socket: string,
  request: AgentRequest,
  waitMs: number,
): Promise<AgentAnswer | undefined> {
  // No socket, no agent: nothing more is loaded (the socket module costs more than the fast path's start).
  // S190: and only the user's own socket, in a folder private to the user, is connected to: the request carries
  // the caller's environment, and an answer is printed as the token.
  if (!agentSocketTrust(socket).trusted) return Promise.resolve(undefined);
  return askTrustedAgent(socket, request, waitMs);
}

/** askAgentRaw, at a socket already found trusted (S190). */
function askTrustedAgent(
  socket: string,
  request: AgentRequest,
  waitMs: number,
): Promise<AgentAnswer | undefined> {
  // Node's own module, without the ES module loader (the bundle is CommonJS; engines: Node >= 20.16 has it).
  const { connect } = process.getBuiltinModule('node:net') as typeof import('node:net');
  return new Promise((resolve) => {
    let got = '';
    let done = false;
    const conn = connect(socket);
    const finish = (answer: AgentAnswer | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      conn.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish(undefined), waitMs);
    conn.setEncoding('utf8');
    conn.on('error', () => finish(undefined)); // ENOENT (no agent), ECONNREFUSED (a stale socket), ...
    conn.on('connect', () => conn.write(`${JSON.stringify(request)}\n`));
    conn.on('data', (chunk: string) => {
      got += chunk;
      const end = got.indexOf('\n');
      if (end >= 0) finish(parseAgentAnswer(got.slice(0, end)));
      else if (got.length > MAX_ANSWER_BYTES) finish(undefined);
    });
    conn.on('end', () => finish(undefined));
  });
}

/**
 * `tokenloop token ARGS` through the agent, as the bin runs it: what to print, or why not (the bin then answers
 * by itself). Only the environment's strings go, as the agent must see them (S177: the fast path reads the
 * environment only through its parameter).
 */
export async function askAgentToken(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  build: string,
  waitMs: number = AGENT_WAIT_MS,
): Promise<{ stdout: string } | { declined: string }> {
  const socket = agentSocketPath(env);
  // S190: the user's own socket in a private folder, or no agent at all (nothing read, nothing sent).
  if (!agentSocketTrust(socket).trusted) return { declined: 'no agent answered' };
  // S221, S222: an answer the agent kept for exactly this request, while it still holds: no socket needed.
  const kept = keptAnswer(socket, { build, args, cwd, env });
  if (kept !== undefined) return { stdout: kept };
  const plain: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string') plain[k] = v;
  const answer = await askTrustedAgent(
    socket,
    { build, op: 'token', args: [...args], env: plain, cwd },
    waitMs,
  );
  if (answer === undefined) return { declined: 'no agent answered' };
  if ('stdout' in answer || 'declined' in answer) return answer;
  return { declined: 'the agent gave no answer to this' };
}

/**
 * The agent's path as the bin runs it: the answer printed and exit 0, or undefined for the bin to answer by
 * itself. With `only` (TOKENLOOP_TOKEN_PATH=agent), a decline is printed with its reason (S74: as text) and exits
 * EXIT.tokenPathDeclined (125, S187), as TOKENLOOP_TOKEN_PATH=fast does.
 */
export async function runAgentPath(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  build: string,
  only: boolean,
): Promise<number | undefined> {
  const answer = await askAgentToken(args, env, cwd, build, only ? AGENT_ONLY_WAIT_MS : AGENT_WAIT_MS);
  return printPathAnswer(answer, only, 'the agent');
}
