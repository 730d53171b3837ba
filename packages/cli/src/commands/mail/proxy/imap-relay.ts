import type { Socket } from 'node:net';
import type { LineConnection } from '../line-connection.js';
import { imapSegmenter } from './imap-segments.js';
import { relayWrite } from './relay-write.js';

/** What the relay knows of the IMAP session, from watching both directions (never message content). */
interface SessionState {
  /** Tags of commands sent and not yet completed, with their command names. */
  outstanding: Map<string, string>;
  /** SELECT / EXAMINE commands in flight: tag → command line ('' when it carried a literal). */
  selecting: Map<string, string>;
  /** The mailbox selected now: its command line, UIDVALIDITY and UIDNEXT when it was selected. */
  selected?: { line: string; uidValidity: string | undefined; uidNext: string | undefined } | undefined;
  uidValiditySeen?: string | undefined;
  uidNextSeen?: string | undefined;
  /** The client ended IDLE (DONE) and waits for its tagged OK. */
  idleDone: boolean;
  /** The command whose synchronizing literal waits for the server's `+`. */
  literalTag?: string | undefined;
  /** The tag of the command the client is sending now. */
  currentTag?: string | undefined;
  /** Messages in the selected mailbox, as EXISTS / EXPUNGE responses said. */
  exists?: number | undefined;
  idleTag?: string | undefined;
  loggingOut: boolean;
  /** ENABLE commands in flight (tag → line) and those the server accepted, replayed when resuming. */
  enabling: Map<string, string>;
  enabled: string[];
  /** QRESYNC sessions are not resumed (expunges arrive as VANISHED ranges, not as a message count). */
  noResume: boolean;
  /** COMPRESS is on: the streams are deflated and relayed without being followed. */
  opaque: boolean;
  compressTag?: string | undefined;
}

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

/**
 * Relays an authenticated IMAP session byte for byte. When the server drops the connection while the client
 * is between commands (or idling), the relay logs in again with a fresh token, re-selects the mailbox and
 * resumes IDLE, so the mail program never notices — unless the mailbox changed in a way a client cannot be
 * told about (UIDVALIDITY changed, messages expunged meanwhile): then, as whenever a command was in flight,
 * the client gets `* BYE` and reconnects itself.
 */
export function relayImap(o: ImapRelayOptions): Promise<void> {
  const st: SessionState = {
    outstanding: new Map(),
    selecting: new Map(),
    loggingOut: false,
    enabling: new Map(),
    enabled: [],
    idleDone: false,
    noResume: false,
    opaque: false,
  };
  const client = o.client.socket;
  let upstream = o.upstream.socket;
  let held: Buffer[] = [];
  let heldBytes = 0;
  let resuming = false;
  let heldBye: Buffer | undefined;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));

  const watchClient = imapSegmenter(({ line, continued }) => {
    if (line === undefined) return;
    if (/\{\d+\}$/.test(line)) st.literalTag = continued ? st.currentTag : /^\S+/.exec(line)?.[0];
    if (continued) return;
    if (st.idleTag && /^DONE$/i.test(line)) {
      st.idleDone = true;
      return;
    }
    const m = /^(\S+) (?:UID )?([A-Za-z]+)/i.exec(line);
    if (!m) return;
    const tag = m[1]!;
    st.currentTag = tag;
    const verb = m[2]!.toUpperCase();
    st.outstanding.set(tag, verb);
    if (verb === 'SELECT' || verb === 'EXAMINE') st.selecting.set(tag, /\}$/.test(line) ? '' : line);
    if (verb === 'IDLE') st.idleTag = tag;
    if (verb === 'LOGOUT') st.loggingOut = true;
    if (verb === 'ENABLE') {
      if (/QRESYNC/i.test(line)) st.noResume = true;
      st.enabling.set(tag, line);
    }
    if (verb === 'COMPRESS') st.compressTag = tag;
  }, true);

  const makeToClient = () =>
    imapSegmenter(({ bytes, line, continued }) => {
      if (line !== undefined && !continued) {
        let m: RegExpExecArray | null;
        if (line.startsWith('+') && st.literalTag !== undefined) {
          watchClient.continueLiteral(); // the client sends its literal now
          st.literalTag = undefined;
        }
        if ((m = /^\* (\d+) EXISTS/i.exec(line))) st.exists = Number(m[1]);
        else if (/^\* \d+ EXPUNGE/i.test(line) && st.exists !== undefined) st.exists--;
        else if ((m = /^\* OK \[UIDVALIDITY (\d+)\]/i.exec(line))) st.uidValiditySeen = m[1];
        else if ((m = /^\* OK \[UIDNEXT (\d+)\]/i.exec(line))) st.uidNextSeen = m[1];
        else if (/^\* BYE/i.test(line) && !st.loggingOut) {
          heldBye = Buffer.from(bytes); // the server is going away: hold it until we know we cannot resume
          return;
        } else if ((m = /^(\S+) (OK|NO|BAD)\b/i.exec(line)) && m[1] !== '*' && m[1] !== '+') {
          const tag = m[1]!;
          const ok = m[2]!.toUpperCase() === 'OK';
          const verb = st.outstanding.get(tag);
          st.outstanding.delete(tag);
          if (tag === st.literalTag) {
            watchClient.cancelLiteral(); // refused before the literal was sent: none will come
            st.literalTag = undefined;
          }
          if (st.selecting.has(tag)) {
            st.selected = ok
              ? { line: st.selecting.get(tag)!, uidValidity: st.uidValiditySeen, uidNext: st.uidNextSeen }
              : undefined;
            if (!ok) st.exists = undefined;
            st.selecting.delete(tag);
          } else if (ok && (verb === 'CLOSE' || verb === 'UNSELECT')) {
            st.selected = undefined;
            st.exists = undefined;
          }
          if (tag === st.idleTag) {
            st.idleTag = undefined;
            st.idleDone = false;
          }
          if (st.enabling.has(tag)) {
            if (ok) st.enabled.push(st.enabling.get(tag)!);
            st.enabling.delete(tag);
          }
          if (tag === st.compressTag && ok) {
            st.opaque = true;
            st.noResume = true;
          }
        }
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
    const inFlight = [...st.outstanding.keys()].filter((t) => t !== st.idleTag);
    if (st.loggingOut || client.destroyed) return void client.end();
    if (watchClient.midCommand()) inFlight.push(st.currentTag ?? '*');
    if (inFlight.length > 0 || st.noResume || st.selected?.line === '' || st.selecting.size > 0) {
      const what =
        inFlight.map((t) => st.outstanding.get(t) ?? 'a command').join(', ') || 'a mailbox selection';
      o.log(`the server closed the connection during ${what}; closing the client connection`);
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
        if ((err as { kind?: string }).kind === 'sign-in' || (err as { kind?: string }).kind === 'refused')
          break;
        continue;
      }
      try {
        await restoreState(next);
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

  /** Re-enables extensions, re-selects the mailbox (checking nothing was lost meanwhile), re-enters IDLE. */
  async function restoreState(next: LineConnection): Promise<void> {
    for (const [i, line] of st.enabled.entries()) {
      const tag = `tle${i}`;
      next.writeLine(line.replace(/^\S+/, tag));
      for (;;) {
        const reply = await next.readLine();
        if (reply.startsWith(`${tag} `)) {
          if (!new RegExp(`^${tag} OK`, 'i').test(reply)) throw new Error('the server refused ENABLE');
          break;
        }
      }
    }
    if (st.selected) {
      next.writeLine(st.selected.line.replace(/^\S+/, 'tlr1'));
      let exists: number | undefined;
      let uidValidity: string | undefined;
      let uidNext: string | undefined;
      for (;;) {
        const line = await next.readLine();
        let m: RegExpExecArray | null;
        if ((m = /^\* (\d+) EXISTS/i.exec(line))) exists = Number(m[1]);
        else if ((m = /^\* OK \[UIDVALIDITY (\d+)\]/i.exec(line))) uidValidity = m[1];
        else if ((m = /^\* OK \[UIDNEXT (\d+)\]/i.exec(line))) uidNext = m[1];
        else if (line.startsWith('tlr1 ')) {
          if (!/^tlr1 OK/i.test(line)) throw new Error('the mailbox cannot be selected again');
          break;
        }
      }
      if (st.selected.uidValidity !== undefined && uidValidity !== st.selected.uidValidity)
        throw new Error('the mailbox UIDVALIDITY changed');
      // Sequence numbers must mean the same messages as before: nothing added or removed since the client last
      // heard (same count) and no message arrived since the selection (same UIDNEXT). Anything else, even if
      // harmless, cannot be told to the client safely: it reconnects instead.
      if (exists !== st.exists || uidNext !== st.selected.uidNext)
        throw new Error('the mailbox changed while the connection was down');
    }
    if (st.idleTag && st.idleDone) {
      // The client's DONE was lost with the old connection: finish its IDLE here.
      client.write(`${st.idleTag} OK IDLE terminated\r\n`);
      st.idleTag = undefined;
      st.idleDone = false;
    } else if (st.idleTag) {
      next.writeLine(`${st.idleTag} IDLE`);
      const line = await next.readLine();
      if (!line.startsWith('+')) throw new Error('the server refused IDLE');
    }
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
