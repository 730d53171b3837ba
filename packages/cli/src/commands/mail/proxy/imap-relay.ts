import type { Socket } from 'node:net';
import type { LineConnection } from '../line-connection.js';
import { type HeldInput, holdInput } from './held-input.js';
import { restoreSession, whyNotResumable } from './imap-resume.js';
import { type ImapSegmenter, imapSegmenter } from './imap-segments.js';
import { type SessionTracker, trackSession } from './imap-session.js';
import { relayWrite } from './relay-write.js';
import { UpstreamFailure } from './upstream.js';

export interface ImapRelayOptions {
  client: { socket: Socket; pending: Buffer };
  upstream: { socket: Socket; pending: Buffer };
  /** A new upstream connection, logged in with a fresh token (throws when that is impossible). */
  reconnect(): Promise<LineConnection>;
  log(text: string): void;
}

const RETRY_DELAYS_MS = [0, 1000, 2000, 4000, 8000];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A failed login that trying again cannot mend: the token was refused, or the user must sign in. */
const final = (err: unknown) =>
  err instanceof UpstreamFailure && (err.kind === 'sign-in' || err.kind === 'refused');

/** One relayed session: the server connection of the moment, and what is held back while it is replaced. */
interface Relay {
  readonly o: ImapRelayOptions;
  readonly session: SessionTracker;
  readonly client: Socket;
  upstream: Socket;
  /** The server's bytes on their way to the client, followed line by line (attachUpstream makes it). */
  toClient: ImapSegmenter;
  /** S76: the client's bytes while the relay reconnects. */
  readonly held: HeldInput;
  resuming: boolean;
  /** The server's BYE, held until the relay knows it cannot resume the session. */
  heldBye: Buffer | undefined;
}

/**
 * Relays an authenticated IMAP session byte for byte. When the server drops the connection while the client
 * is between commands (or idling), the relay logs in again with a fresh token, re-selects the mailbox and
 * resumes IDLE, so the mail program never notices — unless the mailbox changed in a way a client cannot be
 * told about (UIDVALIDITY changed, messages expunged meanwhile): then, as whenever a command was in flight,
 * the client gets `* BYE` and reconnects itself. The session is followed by imap-session.ts, resumed by
 * imap-resume.ts.
 */
export function relayImap(o: ImapRelayOptions): Promise<void> {
  const client = o.client.socket;
  const r = {
    o,
    session: trackSession(),
    client,
    upstream: o.upstream.socket,
    held: holdInput(client),
    resuming: false,
    heldBye: undefined,
  } as Omit<Relay, 'toClient'> as Relay; // toClient: made by attachUpstream, below
  return new Promise<void>((done) => {
    client.on('data', (chunk: Buffer) => fromClient(r, chunk));
    client.on('error', () => {});
    client.once('close', () => {
      r.upstream.destroy();
      done();
    });
    attachUpstream(r);
    if (o.upstream.pending.length) r.toClient(o.upstream.pending);
    if (o.client.pending.length) fromClient(r, o.client.pending);
  });
}

/** The client's bytes: followed (unless compressed), and sent on — or held while the relay reconnects. */
function fromClient(r: Relay, chunk: Buffer): void {
  if (!r.session.state.opaque) r.session.watchClient(chunk);
  if (r.resuming || r.upstream.destroyed) r.held.add(chunk);
  else relayWrite(r.upstream, chunk, r.client);
}

/** The server's bytes: followed until COMPRESS, then relayed as they are. */
function fromUpstream(r: Relay, chunk: Buffer): void {
  if (r.session.state.opaque) return void relayWrite(r.client, chunk, r.upstream);
  r.toClient(chunk);
  // COMPRESS took effect: the compressed bytes that came with its OK go on as they are.
  if (r.session.state.opaque) relayWrite(r.client, r.toClient.flush(), r.upstream);
}

/** The server's lines to the client, but a BYE: held until the relay knows it cannot resume. */
function segmentsToClient(r: Relay): ImapSegmenter {
  return imapSegmenter(({ bytes, line, continued }) => {
    if (line !== undefined && !continued && r.session.serverLine(line) === 'hold-bye') {
      r.heldBye = Buffer.from(bytes);
      return;
    }
    relayWrite(r.client, bytes, r.upstream);
  });
}

/** Follows the server connection of the moment; when it closes under a client still there, resumes. */
function attachUpstream(r: Relay): void {
  const upstream = r.upstream;
  r.toClient = segmentsToClient(r); // nothing of the old connection's unfinished line carries over
  const onData = (chunk: Buffer) => fromUpstream(r, chunk);
  upstream.on('data', onData);
  upstream.on('error', () => {});
  upstream.once('close', () => {
    upstream.off('data', onData);
    if (r.client.destroyed) return;
    void resume(r);
  });
}

/** Ends the client's connection with the server's held BYE, or one of the proxy's saying `why`. */
function bye(r: Relay, why: string): void {
  r.client.end(r.heldBye ?? Buffer.from(`* BYE [UNAVAILABLE] tokenloop: ${why}\r\n`));
}

/** The server closed the connection: resume the session on a new one, or end the client's with a BYE. */
async function resume(r: Relay): Promise<void> {
  const st = r.session.state;
  if (st.loggingOut || r.client.destroyed) return void r.client.end();
  const blocked = whyNotResumable(st, r.session.watchClient.midCommand());
  if (blocked !== undefined) {
    r.o.log(`the server closed the connection during ${blocked}; closing the client connection`);
    return bye(r, 'the server closed the connection');
  }
  r.resuming = true;
  const next = await reconnect(r);
  if (next === undefined) return; // the client left meanwhile
  if ('failed' in next) {
    r.o.log(`could not reconnect: ${next.failed}`);
    return bye(r, `the server closed the connection and could not be reached again: ${next.failed}`);
  }
  try {
    await restoreSession(next, st, r.client);
  } catch (err) {
    next.close();
    r.o.log(`session not resumed: ${(err as Error).message}`);
    return bye(r, `the session could not be resumed: ${(err as Error).message}`);
  }
  if (r.client.destroyed) return next.close(); // the client left while we reconnected
  switchUpstream(r, next);
  r.o.log('the server closed the connection; logged in again and resumed the session');
}

/**
 * A new logged-in server connection, tried after each of RETRY_DELAYS_MS until one is had or a failure is final:
 * the last failure when none was had, undefined when the client left meanwhile.
 */
async function reconnect(r: Relay): Promise<LineConnection | { failed: string } | undefined> {
  let failed = 'the server closed the connection';
  for (const delay of RETRY_DELAYS_MS) {
    await sleep(delay);
    if (r.client.destroyed) return undefined;
    try {
      return await r.o.reconnect();
    } catch (err) {
      failed = (err as Error).message;
      if (final(err)) break;
    }
  }
  return { failed };
}

/** Relays over the resumed connection: what the server sent with its last answer, then the client's held bytes. */
function switchUpstream(r: Relay, next: LineConnection): void {
  const { socket, pending } = next.detach();
  r.upstream = socket;
  attachUpstream(r);
  r.heldBye = undefined;
  r.resuming = false;
  if (pending.length) r.toClient(pending);
  r.held.release(r.upstream);
}
