import type { Socket } from 'node:net';
import type { LineConnection } from '../line-connection.js';
import { restoreSession, whyNotResumable } from './imap-resume.js';
import { imapSegmenter } from './imap-segments.js';
import { trackSession } from './imap-session.js';
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
/** S76: what the client may send while the relay reconnects before it stops being read. */
const MAX_HELD = 256 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A failed login that trying again cannot mend: the token was refused, or the user must sign in. */
const final = (err: unknown) =>
  err instanceof UpstreamFailure && (err.kind === 'sign-in' || err.kind === 'refused');

/**
 * Relays an authenticated IMAP session byte for byte. When the server drops the connection while the client
 * is between commands (or idling), the relay logs in again with a fresh token, re-selects the mailbox and
 * resumes IDLE, so the mail program never notices — unless the mailbox changed in a way a client cannot be
 * told about (UIDVALIDITY changed, messages expunged meanwhile): then, as whenever a command was in flight,
 * the client gets `* BYE` and reconnects itself. The session is followed by imap-session.ts, resumed by
 * imap-resume.ts.
 */
export function relayImap(o: ImapRelayOptions): Promise<void> {
  const session = trackSession();
  const st = session.state;
  const watchClient = session.watchClient;
  const client = o.client.socket;
  let upstream = o.upstream.socket;
  let held: Buffer[] = [];
  let heldBytes = 0;
  let resuming = false;
  let heldBye: Buffer | undefined;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));

  const makeToClient = () =>
    imapSegmenter(({ bytes, line, continued }) => {
      if (line !== undefined && !continued && session.serverLine(line) === 'hold-bye') {
        heldBye = Buffer.from(bytes); // the server is going away: hold it until we know we cannot resume
        return;
      }
      relayWrite(client, bytes, upstream);
    });
  let toClient = makeToClient();

  const onClientData = (chunk: Buffer) => {
    if (!st.opaque) watchClient(chunk);
    if (resuming || upstream.destroyed) {
      held.push(chunk);
      heldBytes += chunk.length;
      if (heldBytes > MAX_HELD) client.pause(); // resumed when the session is resumed
    } else relayWrite(upstream, chunk, client);
  };
  const onUpstreamData = (chunk: Buffer) => {
    if (st.opaque) return void relayWrite(client, chunk, upstream);
    toClient(chunk);
    if (st.opaque) relayWrite(client, toClient.flush(), upstream); // compressed bytes that came with the OK
  };

  const bye = (why: string) => {
    client.end(heldBye ?? Buffer.from(`* BYE [UNAVAILABLE] tokenloop: ${why}\r\n`));
  };

  async function resume(): Promise<void> {
    if (st.loggingOut || client.destroyed) return void client.end();
    const blocked = whyNotResumable(st, watchClient.midCommand());
    if (blocked !== undefined) {
      o.log(`the server closed the connection during ${blocked}; closing the client connection`);
      return bye('the server closed the connection');
    }
    resuming = true;
    let lastError = 'the server closed the connection';
    for (const delay of RETRY_DELAYS_MS) {
      await sleep(delay);
      if (client.destroyed) return;
      let next: LineConnection;
      try {
        next = await o.reconnect();
      } catch (err) {
        lastError = (err as Error).message;
        if (final(err)) break;
        continue;
      }
      try {
        await restoreSession(next, st, client);
      } catch (err) {
        next.close();
        o.log(`session not resumed: ${(err as Error).message}`);
        return bye(`the session could not be resumed: ${(err as Error).message}`);
      }
      if (client.destroyed) return next.close(); // the client left while we reconnected
      const { socket, pending } = next.detach();
      upstream = socket;
      attachUpstream();
      heldBye = undefined;
      resuming = false;
      if (pending.length) toClient(pending);
      const queued = held;
      held = [];
      heldBytes = 0;
      for (const chunk of queued) relayWrite(upstream, chunk, client);
      if (!client.destroyed && client.isPaused() && !upstream.writableNeedDrain) client.resume();
      o.log('the server closed the connection; logged in again and resumed the session');
      return;
    }
    o.log(`could not reconnect: ${lastError}`);
    bye(`the server closed the connection and could not be reached again: ${lastError}`);
  }

  function attachUpstream() {
    toClient = makeToClient(); // nothing of the old connection's unfinished line carries over
    upstream.on('data', onUpstreamData);
    upstream.on('error', () => {});
    upstream.once('close', () => {
      upstream.off('data', onUpstreamData);
      if (client.destroyed) return;
      void resume();
    });
  }

  client.on('data', onClientData);
  client.on('error', () => {});
  client.once('close', () => {
    upstream.destroy();
    done();
  });
  attachUpstream();
  if (o.upstream.pending.length) toClient(o.upstream.pending);
  if (o.client.pending.length) onClientData(o.client.pending);
  return finished;
}
