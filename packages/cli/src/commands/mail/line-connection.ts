import { type Socket, isIP, connect as tcpConnect } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';

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

/**
 * S90: how much a connection may be read line by line in all: lines, bytes, and time spent waiting for them.
 * Past any of them the connection is closed and the read fails with an error saying which bound was passed.
 */
export interface ReadBudget {
  lines: number;
  bytes: number;
  waitMs: number;
}

/**
 * S90: a mail server's side of the conversation before a session is relayed — greeting, capabilities, STARTTLS,
 * SASL, and (IMAP) the capabilities after login or the re-selection of a mailbox on reconnection. Real servers
 * take a few dozen lines of a few hundred bytes; these bounds leave ample room, and hold however a server (or
 * whoever sits on the path before TLS) answers: endless capability lines, an endless multi-line greeting,
 * SASL challenges without end, a line a second.
 */
export const SERVER_READ_BUDGET: ReadBudget = { lines: 1000, bytes: 256 * 1024, waitMs: 60_000 };
/** S90: the longest line a server may send before the session is relayed. */
export const SERVER_MAX_LINE = 64 * 1024;

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

const MAX_LINE = 1_000_000;
/** S75: received and not yet read (pipelined commands): reading from the socket pauses above this. */
export const MAX_UNREAD_INPUT = 64 * 1024;
/** S75: written and not yet taken by the other end: no further line is read above this. */
export const MAX_UNSENT_OUTPUT = 256 * 1024;
/** S75: how long the other end may leave MAX_UNSENT_OUTPUT untaken before it is disconnected. */
export const STALL_MS = 10_000;

/**
 * Reads lines and byte runs from a connected socket (either side of a conversation). S75: what it holds is
 * bounded whatever the other end does — unread input (reading pauses while more than MAX_UNREAD_INPUT waits,
 * and resumes when a reader needs more), line length (`maxLine`), and output: while more than
 * MAX_UNSENT_OUTPUT waits to be taken, no further line is read (so no further answer is written), and an
 * other end that takes nothing for STALL_MS is disconnected.
 */
export function wrapSocket(first: Socket, o: WrapOptions = {}): LineConnection {
  const timeoutMs = o.timeoutMs ?? 15_000;
  const maxLine = o.maxLine ?? MAX_LINE;
  let socket: Socket = first;
  let isTls = o.tls ?? false;
  let buffer: Buffer = Buffer.alloc(0);
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  let stall: NodeJS.Timeout | undefined;
  const spent = { lines: 0, bytes: 0, waitMs: 0 };
  const peerName = () => o.peer ?? `${socket.remoteAddress}:${socket.remotePort}`;
  /** S90: closes the connection and fails the read once a bound of the budget is passed. */
  const overBudget = (message: string): never => {
    const err = new Error(`the server ${message} before the session; connection closed`);
    failure ??= err;
    socket.destroy(err);
    throw err;
  };
  const charge = (bytes: number, lines: number) => {
    if (!o.budget) return;
    spent.bytes += bytes;
    spent.lines += lines;
    if (spent.lines > o.budget.lines) overBudget(`sent more than ${o.budget.lines} lines`);
    if (spent.bytes > o.budget.bytes) overBudget(`sent more than ${o.budget.bytes} bytes`);
  };
  const limitBroken = (why: LimitBroken, message: string) => {
    if (failure || socket.destroyed) return;
    o.onLimit?.(why);
    socket.destroy(new Error(message));
  };
  const backedUp = () => socket.writableLength > MAX_UNSENT_OUTPUT;
  const onData = (chunk: Buffer) => {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    if (buffer.length - (buffer.lastIndexOf(10) + 1) > maxLine) {
      limitBroken({ kind: 'long-line', limit: maxLine }, `the peer sent a line longer than ${maxLine} bytes`);
    } else if (buffer.length > MAX_UNREAD_INPUT) socket.pause();
    wake?.();
  };
  const onDrain = () => {
    clearTimeout(stall);
    stall = undefined;
    wake?.();
  };
  const onError = (err: Error) => {
    failure ??= err;
    clearTimeout(stall);
    wake?.();
  };
  const onClose = () => onError(failure ?? new Error('the connection was closed'));
  const attach = (s: Socket) => {
    s.on('data', onData);
    s.on('drain', onDrain);
    s.on('error', onError);
    s.on('close', onClose);
  };
  const detachListeners = (s: Socket) => {
    clearTimeout(stall);
    stall = undefined;
    s.off('data', onData);
    s.off('drain', onDrain);
    s.off('error', onError);
    s.off('close', onClose);
  };
  attach(socket);

  /**
   * Waits until `ready()` returns a value, the connection fails, or the time is up. Nothing is handed out while
   * the other end leaves too much output untaken; more input is read only when what is there does not do.
   */
  async function until<T>(ready: () => T | undefined, ms: number): Promise<T> {
    const started = Date.now();
    const deadline = started + ms;
    // S90: the time this read may take is also what is left of the budget's waiting time.
    const budgetEnd = o.budget ? started + o.budget.waitMs - spent.waitMs : Infinity;
    try {
      for (;;) {
        if (!backedUp() || failure) {
          const v = ready();
          if (v !== undefined) return v;
          if (!failure) socket.resume();
        }
        if (failure) throw failure;
        const now = Date.now();
        if (now >= budgetEnd && o.budget)
          overBudget(`took more than ${o.budget.waitMs / 1000} s in all to answer`);
        const left = Math.min(deadline, budgetEnd) - now;
        if (now >= deadline) throw new Error(`no answer within ${ms} ms`);
        await wait(left);
      }
    } finally {
      spent.waitMs += Date.now() - started;
    }
  }

  /** Until more comes, something is taken or fails, or `ms` pass. */
  function wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
    });
  }

  return {
    get tls() {
      return isTls;
    },
    get peerAddress() {
      return socket.remoteAddress;
    },
    get peer() {
      return peerName();
    },
    readLine(ms = timeoutMs) {
      return until(() => {
        const i = buffer.indexOf(10);
        if (i < 0) return undefined;
        charge(i + 1, 1);
        const line = buffer.toString('latin1', 0, i).replace(/\r$/, '');
        buffer = buffer.subarray(i + 1);
        return line;
      }, ms);
    },
    readBytes(n, ms = timeoutMs) {
      return until(() => {
        if (buffer.length < n) return undefined;
        charge(n, 0);
        const bytes = Buffer.from(buffer.subarray(0, n));
        buffer = buffer.subarray(n);
        return bytes;
      }, ms);
    },
    writeLine(line) {
      socket.write(Buffer.from(`${line}\r\n`, 'latin1'));
      if (backedUp() && !stall) {
        stall = setTimeout(
          () =>
            limitBroken(
              { kind: 'not-reading' },
              `the peer did not take what it was sent within ${STALL_MS} ms`,
            ),
          STALL_MS,
        );
        stall.unref();
      }
    },
    async startTls() {
      if (!o.upgrade) throw new Error('this connection cannot start TLS');
      detachListeners(socket);
      socket = await o.upgrade(socket);
      isTls = true;
      buffer = Buffer.alloc(0);
      attach(socket);
    },
    detach() {
      detachListeners(socket);
      const pending = buffer;
      buffer = Buffer.alloc(0);
      socket.resume(); // reading may have been paused: the new owner's 'data' listener gets it flowing
      return { socket, pending };
    },
    close() {
      socket.destroy();
    },
  };
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
  const socket: Socket = await new Promise((resolve, reject) => {
    const s = o.tls
      ? tlsConnect({ host: o.host, port: o.port, ...tlsOptions }, () => resolve(s))
      : tcpConnect({ host: o.host, port: o.port }, () => resolve(s));
    s.once('error', reject);
    // With TLS, ready means the handshake is done, not just TCP connected.
    const timer = setTimeout(() => s.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    s.once(o.tls ? 'secureConnect' : 'connect', () => clearTimeout(timer));
    s.once('close', () => clearTimeout(timer));
  });
  return wrapSocket(socket, {
    timeoutMs,
    // S90: every server connection of the mail code is opened here, so every read of a server is bounded.
    budget: SERVER_READ_BUDGET,
    maxLine: SERVER_MAX_LINE,
    tls: o.tls,
    peer: `${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.port}`,
    upgrade: (plain) =>
      new Promise<TLSSocket>((resolve, reject) => {
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
      }),
  });
}
