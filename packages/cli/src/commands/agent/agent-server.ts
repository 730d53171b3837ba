// The token agent (`tokenloop agent`, docs/cli.md): a resident process that answers `tokenloop token` for a
// cached token over a Unix socket, so that the caller loads neither the token cache's crypto nor the command
// line (issue 14). Each request is answered by exactly the function the in-process fast path runs
// (tokenFastPath), with the caller's arguments, environment and folder: the same rules, the same bytes, and the
// same declines (the full command line then answers in the caller). It reads the profiles and the token cache
// afresh for every request and never writes them: no renewal, no repair (S126).
import { chmodSync, lstatSync, renameSync, rmSync, statSync } from 'node:fs';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { cliAgentSocket } from 'tokenloop/cli-state';
import { TokenloopError } from 'tokenloop/errors';
import { ensurePrivateDirectory } from 'tokenloop/private-files';
import { agentSocketPath } from '../../config/paths.js';
import { CliError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { askAgentRaw } from '../../fast-path/agent-client.js';
import {
  type AgentAnswer,
  type AgentRequest,
  MAX_REQUEST_ARGS,
  MAX_REQUEST_ARG_CHARS,
  MAX_REQUEST_BYTES,
  REQUEST_TIME_MS,
  parseAgentRequest,
} from '../../agent-wire/agent-protocol.js';
import { type FastAnswer, tokenFastPath } from '../../fast-path/token-fast-path.js';
import { type RecordedRun, answerFiles, recordingEnv } from './answer-files.js';
import { commandArgument } from '../../output/quote.js';
import { socketFolderOpenToOthers } from '../../agent-wire/socket-trust.js';

/** S178: the longest path a Unix socket may have on Linux (sun_path holds 108 bytes with its terminating 0). */
export const MAX_SOCKET_PATH_BYTES = 107;

/** A running agent. */
export interface Agent {
  socket: string;
  /** Resolves when the agent has stopped (a `stop` request or `close`). */
  stopped: Promise<void>;
  close(): Promise<void>;
}

/** S178: a socket path the system can bind, else a clear error naming a shorter place. */
function checkSocketPath(socket: string, env: NodeJS.ProcessEnv): void {
  if (Buffer.byteLength(socket) <= MAX_SOCKET_PATH_BYTES) return;
  throw new CliError(
    `the agent's socket path ${socket} is longer than the ${MAX_SOCKET_PATH_BYTES} bytes a Unix socket may have`,
    EXIT.usage,
    cliAgentSocket(env).placedBy === 'TOKENLOOP_HOME'
      ? 'give TOKENLOOP_HOME a shorter folder (the socket lives in its cache folder)'
      : 'export XDG_RUNTIME_DIR=/run/user/$(id -u)',
  );
}

/**
 * S170: the socket's folder is made private (0700) through the library's one rule for private folders (S80:
 * the user's own, in folders only the user or root can write), and, as a socket's folder is what keeps other
 * users from connecting, it must not be readable or searchable by others either.
 */
async function privateSocketFolder(dir: string): Promise<void> {
  // S190: the rule the clients apply before they connect, first for a folder of the user's own that is there,
  // so that its one fix is chmod 700 (the private-folder rule's own fix, go-w, leaves it open to reading).
  const mine = statSync(dir, { throwIfNoEntry: false })?.uid === process.getuid?.();
  let open = mine ? socketFolderOpenToOthers(dir) : undefined;
  if (!open) {
    await ensurePrivateDirectory(dir);
    open = socketFolderOpenToOthers(dir);
  }
  if (open)
    throw new TokenloopError('UNSAFE_FILE', `refusing to start the agent in ${dir}: ${open}`, {
      remediation: `chmod 700 ${commandArgument(dir)}`,
    });
}

/** A socket left by an agent that is gone is removed; a live agent, or anything else there, stops this one. */
async function clearStaleSocket(socket: string, build: string): Promise<void> {
  const st = lstatSync(socket, { throwIfNoEntry: false });
  if (!st) return;
  const answer = await askAgentRaw(socket, { build, op: 'ping' }, 2_000);
  if (answer && 'pid' in answer)
    throw new CliError(
      `an agent is already running (pid ${answer.pid}) at ${socket}`,
      EXIT.usage,
      'tokenloop agent stop',
    );
  if (!st.isSocket())
    throw new TokenloopError('UNSAFE_FILE', `refusing to replace ${socket}: it is not a socket`, {
      remediation: `rm ${commandArgument(socket)}`,
    });
  // S192: only a socket nobody listens on is stale; one that takes the connection but did not answer in time
  // is a busy agent, whose socket stays.
  if ((await connectOutcome(socket)) !== 'ECONNREFUSED')
    throw new CliError(`an agent at ${socket} is busy: it did not answer within 2 s`, EXIT.failure);
  rmSync(socket, { force: true }); // S175: a stale socket (its agent is gone)
}

/** S192: whether anything takes a connection at `socket`: 'connected', or the error's code (bounded). */
function connectOutcome(socket: string): Promise<string> {
  return new Promise((done) => {
    const conn = connect(socket);
    const timer = setTimeout(() => finish('timeout'), 2_000);
    const finish = (outcome: string) => {
      clearTimeout(timer);
      conn.destroy();
      done(outcome);
    };
    conn.on('connect', () => finish('connected'));
    conn.on('error', (err: NodeJS.ErrnoException) => finish(err.code ?? 'error'));
  });
}

/**
 * S174, S177, S179: one token request, answered as the in-process fast path would answer it in the caller, with
 * the environment variables it read (S221).
 */
async function answerToken(
  req: Extract<AgentRequest, { op: 'token' }>,
  build: string,
  home: string,
): Promise<RecordedRun> {
  const recording = recordingEnv(req.env);
  const env = recording.env;
  const done = (answer: AgentAnswer | FastAnswer): RecordedRun => ({
    answer: 'pid' in answer ? { declined: 'not an answer' } : answer,
    ...recording.read(),
  });
  if (req.build !== build)
    return done({
      declined:
        'the agent is another build of tokenloop (restart it: tokenloop agent stop; tokenloop agent start)',
    });
  // S177: the fast path reads the environment only through its parameter; what Node itself reads from this
  // process's environment (the home folder, when no TOKENLOOP_HOME / XDG_* folder is set) must be the caller's.
  if (env.HOME !== homedir()) return done({ declined: "the caller's HOME is not the agent's" });
  // S179: relative paths (--ca-file, a profile's CA file) resolve in the caller's folder. Requests are answered
  // one at a time (the queue in serveAgent), so the folder is this request's while it is answered.
  try {
    process.chdir(req.cwd);
  } catch {
    return done({ declined: "the agent cannot enter the caller's folder" });
  }
  try {
    return done(await tokenFastPath(req.args, env));
  } finally {
    process.chdir(home); // S192: the agent's own folder again, whatever the request's was
  }
}

/** What goes back on the socket: the text or the decline, nothing of how long it holds. */
const onTheWire = (answer: FastAnswer): AgentAnswer =>
  'stdout' in answer ? { stdout: answer.stdout } : { declined: answer.declined };

/** Runs tasks one at a time, in order; a task that fails goes to its own `failed`, and the next one runs. */
type Enqueue = (task: () => Promise<void>, failed: (err: unknown) => void) => void;

function oneAtATime(): Enqueue {
  let queue: Promise<unknown> = Promise.resolve();
  return (task, failed) => {
    queue = queue.then(task).catch(failed);
  };
}

/** What answering a request needs of the agent. */
interface AgentContext {
  build: string;
  socket: string;
  /** The agent's own folder, which it returns to after each request (S192). */
  home: string;
  records: ReturnType<typeof answerFiles>;
  /** S179: token requests are answered one at a time, so the process's folder is the request's meanwhile. */
  enqueue: Enqueue;
  /** Stops the agent (a `stop` request). */
  stop: () => void;
}

/** S194: whether a token request is larger than the agent answers. */
function tooLargeToAnswer(req: Extract<AgentRequest, { op: 'token' }>): boolean {
  return (
    req.args.length > MAX_REQUEST_ARGS || req.args.reduce((n, a) => n + a.length, 0) > MAX_REQUEST_ARG_CHARS
  );
}

/** One request line, answered through `reply`. */
function answerRequest(line: string, agent: AgentContext, reply: (answer: AgentAnswer) => void): void {
  const req = parseAgentRequest(line);
  if (!req) return reply({ declined: 'not a request the agent reads' });
  if (req.op !== 'token') {
    // S174: any build may ask for the agent's state or stop it (an upgraded command line stops an old agent).
    reply({ pid: process.pid, build: agent.build, socket: agent.socket });
    if (req.op === 'stop') agent.stop();
    return;
  }
  // S194: a request the agent answers is small (the fast path's options are few), so that one request
  // cannot hold the queue for long; a larger one is the full command line's, in the caller.
  if (tooLargeToAnswer(req))
    return reply({ declined: 'the request has more arguments than the agent answers' });
  agent.enqueue(
    async () => {
      const run = await answerToken(req, agent.build, agent.home);
      // S221: kept before the caller has its answer, so that its next call finds it; a failure to keep it
      // costs only the next caller's time.
      await agent.records?.keep(req, run, () => answerToken(req, agent.build, agent.home)).catch(() => {});
      reply(onTheWire(run.answer));
    },
    (err: unknown) => reply({ declined: `the agent failed: ${(err as Error)?.message ?? 'unknown'}` }),
  );
}

/** One connection: its first line is the request, answered once; the connection then ends. */
function serveConnection(conn: Socket, agent: AgentContext): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let taken = false;
  let answered = false;
  const reply = (answer: AgentAnswer) => {
    if (answered) return;
    answered = true;
    conn.end(`${JSON.stringify(answer)}\n`);
  };
  // S173, S193: bounded in time (a deadline from the connection on, not an idle time) and in bytes; a failure
  // ends this connection only.
  const deadline = setTimeout(() => conn.destroy(), REQUEST_TIME_MS);
  conn.on('close', () => clearTimeout(deadline));
  conn.on('error', () => conn.destroy());
  conn.on('data', (chunk: Buffer) => {
    if (answered || taken) return; // S193: a line is taken once; what follows it is not read
    const nl = chunk.indexOf(0x0a);
    chunks.push(nl < 0 ? chunk : chunk.subarray(0, nl));
    size += nl < 0 ? chunk.length : nl;
    if (size > MAX_REQUEST_BYTES) {
      reply({ declined: 'the request is too large' });
      conn.destroySoon();
      return;
    }
    if (nl < 0) return;
    taken = true;
    clearTimeout(deadline); // the request is in; answering it may wait for those before it
    answerRequest(Buffer.concat(chunks).toString('utf8'), agent, reply);
  });
}

/** The file a socket is: a socket path may be taken by another agent since (S192). */
interface SocketIdentity {
  dev: number;
  ino: number;
}

/**
 * S192: bound under a name of this agent's own, then renamed into place: Node removes the name it bound when
 * the server closes, which must never be the path a newer agent may have taken since (closeAgent).
 */
async function bindSocket(server: Server, socket: string): Promise<SocketIdentity> {
  const own = join(dirname(socket), `${process.pid}.s`); // never longer than agent.sock (checkSocketPath)
  rmSync(own, { force: true });
  const umask = process.umask(0o177); // S171: the socket is created 0600 (and set so, below)
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(own, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(umask);
  }
  chmodSync(own, 0o600);
  const st = lstatSync(own);
  const bound = { dev: st.dev, ino: st.ino };
  renameSync(own, socket);
  return bound;
}

/**
 * S195: SIGUSR1 would open Node's inspector (no authentication) in this long-running process: a listener of
 * its own keeps it closed, in the foreground and detached alike. Returns what removes that listener.
 */
function keepInspectorClosed(): () => void {
  const noInspector = () => {};
  process.on('SIGUSR1', noInspector);
  return () => process.off('SIGUSR1', noInspector);
}

/** The server closed; the socket and the records removed only if the socket is still the one this agent bound. */
async function closeAgent(
  server: Server,
  socket: string,
  bound: SocketIdentity | undefined,
  records: ReturnType<typeof answerFiles>,
): Promise<void> {
  await new Promise<void>((done) => server.close(() => done()));
  // S192: only the socket this agent bound (a newer agent may have taken the path since).
  const st = lstatSync(socket, { throwIfNoEntry: false });
  if (st && bound && st.dev === bound.dev && st.ino === bound.ino) {
    rmSync(socket, { force: true });
    records?.clear(); // S223: the records go with the agent (a newer agent's cleared its own at its start)
  }
}

/** S178, S170, S175: the socket's path, absolute once, in a private folder, with no live agent there. */
async function claimSocketPath(env: NodeJS.ProcessEnv, build: string): Promise<string> {
  // S192: the socket's path, absolute once (a relative TOKENLOOP_HOME is the agent's own folder's).
  const socket = resolve(agentSocketPath(env));
  checkSocketPath(socket, env);
  await privateSocketFolder(dirname(socket));
  await clearStaleSocket(socket, build);
  return socket;
}

/**
 * Start the agent: its private folder, its socket (0600), and requests answered until `close`, a `stop`
 * request, or (for the command) SIGTERM / SIGINT.
 */
export async function serveAgent(env: NodeJS.ProcessEnv, build: string): Promise<Agent> {
  const home = process.cwd();
  const socket = await claimSocketPath(env, build);
  // S220, S223: records of answers, on a memory file system only; none of an earlier agent's are used.
  const records = answerFiles(dirname(socket), build);
  records?.clear();
  // S176: the agent writes nothing about requests anywhere; the library's debug lines (TOKENLOOP_DEBUG) are off
  // in it (a request with TOKENLOOP_DEBUG is declined by the fast path: the command line writes those).
  delete process.env.TOKENLOOP_DEBUG;

  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const server: Server = createServer();
  server.on('error', () => {}); // a listening server's later errors end nothing but the one connection
  const openInspector = keepInspectorClosed();
  let bound: SocketIdentity | undefined = undefined;
  const close = async () => {
    await closeAgent(server, socket, bound, records);
    openInspector();
    stop();
  };
  const agent: AgentContext = {
    build,
    socket,
    home,
    records,
    enqueue: oneAtATime(),
    stop: () => void close(),
  };
  server.on('connection', (conn: Socket) => serveConnection(conn, agent));
  bound = await bindSocket(server, socket);
  return { socket, stopped, close };
}
