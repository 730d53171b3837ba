import { type Socket, isIP, connect as tcpConnect } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { MAX_LINE } from './line/line-framing.js';
import { type OutputWatch, STALL_MS, watchOutput } from './line/output-stall.js';
import {
  type BudgetMeter,
  type ReadBudget,
  SERVER_MAX_LINE,
  SERVER_READ_BUDGET,
  budgetMeter,
} from './line/read-budget.js';
import { type ReadSource, readWhenReady } from './line/read-loop.js';
import { type ReadWaiter, readWaiter } from './line/read-wait.js';
import { type UnreadInput, unreadInput } from './line/unread-input.js';

/**
 * A text protocol connection (IMAP, POP3, SMTP): CRLF lines in and out, exact byte counts for literals,
 * upgradable to TLS (STARTTLS), and detachable so that a proxy can relay raw bytes once SASL is done.
 */
export interface LineConnection {
  /** The next line without its line ending (bytes read as latin1, so nothing is lost or rejected). */
  readLine(timeoutMs?: number): Promise<string>;
  /** Exactly `n` bytes (an IMAP literal). */
  readBytes(n: number, timeoutMs?: number): Promise<Buffer>;
  writeLine(line: string): void;
  /** Upgrade the plain connection to TLS in place. */
  startTls(): Promise<void>;
  /**
   * Stop reading lines: the socket (flowing: attach a 'data' listener at once) and whatever was received but
   * not read yet.
   */
  detach(): { socket: Socket; pending: Buffer };
  readonly tls: boolean;
  /** The other end's IP address, as the socket reports it (undefined once closed). */
  readonly peerAddress: string | undefined;
  /** The other end for messages: `host:port` as it was reached. */
  readonly peer: string;
  close(): void;
}

export interface ConnectOptions {
  host: string;
  port: number;
  tls: boolean;
  /** Accept an untrusted certificate (self-signed test servers). */
  insecure?: boolean;
  timeoutMs?: number;
}

/** Why a connection was closed for breaking a limit. */
export type LimitBroken = { kind: 'not-reading' } | { kind: 'long-line'; limit: number };

export interface WrapOptions {
  timeoutMs?: number;
  upgrade?: (plain: Socket) => Promise<TLSSocket>;
  tls?: boolean;
  /** How the other end was reached (`host:port`), for messages. */
  peer?: string;
  /** The longest line accepted, in bytes; a longer one closes the connection. */
  maxLine?: number;
  /** Called once when the connection is closed for breaking a limit (before it closes). */
  onLimit?: (why: LimitBroken) => void;
  /** S90: bounds on everything read through readLine / readBytes, whatever the timeout of each read. */
  budget?: ReadBudget;
}

/** One wrapped connection: the socket of the moment (STARTTLS replaces it) and why it failed, if it did. */
interface Wrapped {
  socket: Socket;
  failure: Error | undefined;
  readonly input: UnreadInput;
  readonly output: OutputWatch;
  readonly waiter: ReadWaiter;
}

/** Closes the connection for breaking a limit, telling `onLimit` why (once: not when it failed already). */
function breakLimit(w: Wrapped, o: WrapOptions, why: LimitBroken, message: string): void {
  if (w.failure || w.socket.destroyed) return;
  o.onLimit?.(why);
  const err = new Error(message);
  // S75: what the cut-off peer left unread is dropped, and reads fail from now on: no line it pipelined is
  // answered any more (each answer would go to a closed socket, as garbage the size of the flood).
  w.failure = err;
  w.input.takeAll();
  w.socket.destroy(err);
}

/** S90: closes the connection and fails the read once a bound of the budget is passed. */
function overBudget(w: Wrapped, message: string): never {
  const err = new Error(`the server ${message} before the session; connection closed`);
  w.failure ??= err;
  w.socket.destroy(err);
  throw err;
}

/**
 * Follows the socket's events (input, drain, failure) into `w`; S75: a line longer than `maxLine` closes the
 * connection, and reading pauses while more than MAX_UNREAD_INPUT waits. Returns what stops following it.
 */
function follow(w: Wrapped, o: WrapOptions, maxLine: number): () => void {
  const s = w.socket;
  const onData = (chunk: Buffer) => {
    w.input.add(chunk);
    if (w.input.unended() > maxLine) {
      breakLimit(
        w,
        o,
        { kind: 'long-line', limit: maxLine },
        `the peer sent a line longer than ${maxLine} bytes`,
      );
    } else if (w.input.full()) s.pause();
    w.waiter.wake();
  };
  const onDrain = () => {
    w.output.stop();
    w.waiter.wake();
  };
  const onError = (err: Error) => {
    w.failure ??= err;
    w.output.stop();
    w.waiter.wake();
  };
  const onClose = () => onError(w.failure ?? new Error('the connection was closed'));
  s.on('data', onData);
  s.on('drain', onDrain);
  s.on('error', onError);
  s.on('close', onClose);
  return () => {
    w.output.stop();
    s.off('data', onData);
    s.off('drain', onDrain);
    s.off('error', onError);
    s.off('close', onClose);
  };
}

/** The state of a connection `first` just wrapped; S75: a peer that leaves its output untaken is cut off. */
function wrapped(first: Socket, o: WrapOptions): Wrapped {
  const w: Wrapped = {
    socket: first,
    failure: undefined,
    input: unreadInput(),
    output: watchOutput(
      () => w.socket,
      () => {
        const message = `the peer did not take what it was sent within ${STALL_MS} ms`;
        breakLimit(w, o, { kind: 'not-reading' }, message);
      },
    ),
    waiter: readWaiter(),
  };
  return w;
}

/** What the reads of `w` wait on. */
function readSource(w: Wrapped, meter: BudgetMeter): ReadSource {
  return {
    failure: () => w.failure,
    backedUp: w.output.backedUp,
    resume: () => w.socket.resume(),
    meter,
    waiter: w.waiter,
  };
}

/** The next whole line, counted against the budget; undefined until one has ended. */
function nextLine(input: UnreadInput, meter: BudgetMeter): string | undefined {
  const size = input.lineSize();
  if (size === undefined) return undefined;
  meter.charge(size, 1);
  return input.takeLine(size);
}

/** The next `n` bytes, counted against the budget; undefined until they have all come. */
function nextBytes(input: UnreadInput, meter: BudgetMeter, n: number): Buffer | undefined {
  if (!input.has(n)) return undefined;
  meter.charge(n, 0);
  return input.takeBytes(n);
}

/**
 * Reads lines and byte runs from a connected socket (either side of a conversation). S75: what it holds is
 * bounded whatever the other end does — unread input (reading pauses while more than MAX_UNREAD_INPUT waits,
 * and resumes when a reader needs more), line length (`maxLine`), and output: while more than
 * MAX_UNSENT_OUTPUT waits to be taken, no further line is read (so no further answer is written), and an
 * other end that takes nothing for STALL_MS is disconnected. S90: reads are bounded by `budget` in all.
 */
export function wrapSocket(first: Socket, o: WrapOptions = {}): LineConnection {
  const timeoutMs = o.timeoutMs ?? 15_000;
  const maxLine = o.maxLine ?? MAX_LINE;
  let isTls = o.tls ?? false;
  const w = wrapped(first, o);
  const meter = budgetMeter(o.budget, (message) => overBudget(w, message));
  const source = readSource(w, meter);
  let unfollow = follow(w, o, maxLine);

  return {
    get tls() {
      return isTls;
    },
    get peerAddress() {
      return w.socket.remoteAddress;
    },
    get peer() {
      return o.peer ?? `${w.socket.remoteAddress}:${w.socket.remotePort}`;
    },
    readLine: (ms = timeoutMs) => readWhenReady(source, () => nextLine(w.input, meter), ms),
    readBytes: (n, ms = timeoutMs) => readWhenReady(source, () => nextBytes(w.input, meter, n), ms),
    writeLine(line) {
      if (w.socket.destroyed) return; // the connection is gone: nobody can take it
      w.socket.write(Buffer.from(`${line}\r\n`, 'latin1'));
      w.output.wrote();
    },
    async startTls() {
      if (!o.upgrade) throw new Error('this connection cannot start TLS');
      unfollow();
      w.socket = await o.upgrade(w.socket);
      isTls = true;
      w.input.takeAll(); // nothing received before the handshake is read after it
      unfollow = follow(w, o, maxLine);
    },
    detach() {
      unfollow();
      const pending = w.input.takeAll();
      w.socket.resume(); // reading may have been paused: the new owner's 'data' listener gets it flowing
      return { socket: w.socket, pending };
    },
    close() {
      w.socket.destroy();
    },
  };
}

type TlsOptions = { servername?: string; rejectUnauthorized: boolean };

/** A TCP connection, or a TLS one from the first byte: ready once connected (and the handshake done). */
function connectSocket(o: ConnectOptions, tlsOptions: TlsOptions, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = o.tls
      ? tlsConnect({ host: o.host, port: o.port, ...tlsOptions }, () => resolve(s))
      : tcpConnect({ host: o.host, port: o.port }, () => resolve(s));
    s.once('error', reject);
    // With TLS, ready means the handshake is done, not just TCP connected.
    const timer = setTimeout(() => s.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    s.once(o.tls ? 'secureConnect' : 'connect', () => clearTimeout(timer));
    s.once('close', () => clearTimeout(timer));
  });
}

/** STARTTLS: the plain connection upgraded in place, the handshake done within `timeoutMs`. */
function upgradeToTls(plain: Socket, tlsOptions: TlsOptions, timeoutMs: number): Promise<TLSSocket> {
  return new Promise<TLSSocket>((resolve, reject) => {
    const s = tlsConnect({ socket: plain, ...tlsOptions }, () => {
      clearTimeout(timer);
      resolve(s);
    });
    const timer = setTimeout(
      () => s.destroy(new Error(`no TLS handshake within ${timeoutMs} ms`)),
      timeoutMs,
    );
    s.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/**
 * Connects to a server, with TLS from the first byte when `tls` is set: at most `timeoutMs` to connect and as
 * much for a TLS handshake, then reads bounded by SERVER_READ_BUDGET and SERVER_MAX_LINE (S90) until the
 * connection is detached for a relay.
 */
export async function openLineConnection(o: ConnectOptions): Promise<LineConnection> {
  const timeoutMs = o.timeoutMs ?? 15_000;
  // SNI carries host names only (RFC 6066 §3); the certificate is checked against the host either way.
  const tlsOptions = { ...(isIP(o.host) ? {} : { servername: o.host }), rejectUnauthorized: !o.insecure };
  const socket = await connectSocket(o, tlsOptions, timeoutMs);
  return wrapSocket(socket, {
    timeoutMs,
    // S90: every server connection of the mail code is opened here, so every read of a server is bounded.
    budget: SERVER_READ_BUDGET,
    maxLine: SERVER_MAX_LINE,
    tls: o.tls,
    peer: `${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.port}`,
    upgrade: (plain) => upgradeToTls(plain, tlsOptions, timeoutMs),
  });
}
