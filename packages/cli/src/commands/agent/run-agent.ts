// `tokenloop agent` (foreground), `agent start` (detached), `agent stop` and `agent status` (docs/cli.md).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { agentPlaceReason, agentSocketPlace } from '../../config/paths.js';
import { CliError } from '../../errors.js';
import { EXIT, type ExitCode } from '../../exit-codes.js';
import { askAgentRaw } from '../../fast-path/agent-client.js';
import { commandArgument, jsonLine, terminalText } from '../../output/quote.js';
import { ownBuild } from './agent-build.js';
import { serveAgent } from './agent-server.js';
import { agentSocketTrust, socketFolderOpenToOthers } from '../../agent-wire/socket-trust.js';

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'tokenloop.js');
/** How long `agent start` waits for the agent to listen, and `agent stop` for it to end. */
const START_STOP_MS = 10_000;
const POLL_MS = 50;

/** The agent's state, as `agent status`, `status` and `doctor` show it. */
export interface AgentState {
  socket: string;
  /** What chose the socket's place (tokenloop/cli-state `cliAgentSocket`). */
  placedBy: ReturnType<typeof agentSocketPlace>['placedBy'];
  running: boolean;
  pid?: number;
  /** It runs another build of tokenloop: it declines this one's requests until restarted. */
  otherBuild?: boolean;
  /** A socket is there, but no agent answers on it (removed when an agent starts). */
  stale?: boolean;
  /** S190: why the socket there is not asked (not the user's own, or in a folder others may use). */
  untrusted?: string;
  /** What makes it askable again, when a command can (a folder others may use: `chmod 700` it). */
  untrustedFix?: string;
}

export async function agentState(env: NodeJS.ProcessEnv = process.env): Promise<AgentState> {
  const { path: socket, placedBy } = agentSocketPlace(env);
  const trust = agentSocketTrust(socket);
  if (!trust.trusted && 'why' in trust) {
    const folder = dirname(socket);
    const fix =
      existsSync(folder) && socketFolderOpenToOthers(folder)
        ? `chmod 700 ${commandArgument(folder)}`
        : undefined;
    return { socket, placedBy, running: false, untrusted: trust.why, ...(fix ? { untrustedFix: fix } : {}) };
  }
  const answer = await askAgentRaw(socket, { build: ownBuild(), op: 'ping' }, 2_000);
  if (answer && 'pid' in answer)
    return { socket, placedBy, running: true, pid: answer.pid, otherBuild: answer.build !== ownBuild() };
  return { socket, placedBy, running: false, ...(existsSync(socket) ? { stale: true } : {}) };
}

/** Where `agent status` and `agent stop` looked and why there: an agent started elsewhere is not seen. */
function notRunningLine(state: AgentState): string {
  return (
    `not running at ${terminalText(state.socket)}${state.stale ? ' (a stale socket there)' : ''} ` +
    `(looked ${agentPlaceReason(state.placedBy)}; ` +
    'an agent started with another XDG_RUNTIME_DIR or TOKENLOOP_HOME is not seen here); start: tokenloop agent start'
  );
}

/** One line on the agent's state (status, doctor). */
export function agentLine(state: AgentState): string {
  // An agent may well run there: starting another is no fix; making the folder private again is (S190).
  if (state.untrusted)
    return `not asked: ${terminalText(state.untrusted)}${state.untrustedFix ? `; fix: ${state.untrustedFix}` : ''}`;
  if (!state.running) return notRunningLine(state);
  return `running (pid ${state.pid}) at ${terminalText(state.socket)}${
    state.otherBuild
      ? '; another build of tokenloop: restart it (tokenloop agent stop; tokenloop agent start)'
      : ''
  }`;
}

/** One line about the agent on stdout; its dynamic pieces are quoted by the caller (S74). */
const say = (line: string) => process.stdout.write(`agent ${line}\n`);

/** `tokenloop agent`: in the foreground until SIGTERM, SIGINT or `tokenloop agent stop`. */
export async function runAgentForeground(): Promise<void> {
  const agent = await serveAgent(process.env, ownBuild());
  const onSignal = () => void agent.close();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  say(`listening on ${terminalText(agent.socket)} (pid ${process.pid})`);
  await agent.stopped;
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
}

/** `tokenloop agent start`: the agent detached; returns once it answers. */
export async function runAgentStart(): Promise<void> {
  const before = await agentState();
  if (before.running) {
    say(`already running (pid ${before.pid}) at ${terminalText(before.socket)}`);
    return;
  }
  const child = spawn(process.execPath, [BIN, 'agent'], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: process.env,
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  const deadline = Date.now() + START_STOP_MS;
  for (;;) {
    const state = await agentState();
    if (state.running && state.pid === child.pid) {
      child.stderr.destroy();
      child.unref();
      say(`started (pid ${state.pid}), listening on ${terminalText(state.socket)}`);
      return;
    }
    if (exited !== undefined) {
      // The agent said why (its own error lines, fix included): passed on as they are.
      process.stderr.write(stderr);
      throw new CliError('the agent did not start', exited === EXIT.usage ? EXIT.usage : EXIT.failure);
    }
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new CliError(`the agent did not answer within ${START_STOP_MS / 1000} s`, EXIT.failure);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** `tokenloop agent stop`. */
export async function runAgentStop(): Promise<void> {
  const state = await agentState();
  const socket = state.socket;
  const answer = state.running
    ? await askAgentRaw(socket, { build: ownBuild(), op: 'stop' }, 2_000)
    : undefined;
  if (state.untrusted)
    throw new CliError(
      `the agent's socket at ${socket} is not asked: ${state.untrusted}`,
      EXIT.usage,
      state.untrustedFix,
    );
  if (!answer || !('pid' in answer)) {
    state.running = false; // it may have ended between the ping and the stop
    say(agentLine(state));
    return;
  }
  const deadline = Date.now() + START_STOP_MS;
  while (existsSync(socket)) {
    if (Date.now() > deadline)
      throw new CliError(`the agent (pid ${answer.pid}) did not stop within ${START_STOP_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  say(`stopped (pid ${answer.pid})`);
}

/** `tokenloop agent status`; exit 1 when the agent does not run. */
export async function runAgentStatus(opts: { json?: boolean }): Promise<ExitCode> {
  const state = await agentState();
  if (opts.json) process.stdout.write(`${jsonLine(state)}\n`);
  else say(agentLine(state));
  return state.running ? EXIT.ok : EXIT.failure;
}
