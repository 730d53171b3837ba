import type { Socket } from 'node:net';
import type { LineConnection } from '../line-connection.js';
import { imapSegmenter } from './imap-segments.js';

/** What the relay knows of the IMAP session, from watching both directions (never message content). */
interface SessionState {
  /** Tags of commands sent and not yet completed, with their command names. */
  outstanding: Map<string, string>;
  /** SELECT / EXAMINE commands in flight: tag → command line ('' when it carried a literal). */
  selecting: Map<string, string>;
  /** The mailbox selected now: its command line and UIDVALIDITY. */
  selected?: { line: string; uidValidity: string | undefined } | undefined;
  uidValiditySeen?: string | undefined;
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
    noResume: false,
    opaque: false,
  };
  const client = o.client.socket;
  let upstream = o.upstream.socket;
  let held: Buffer[] = [];
  let resuming = false;
  let heldBye: Buffer | undefined;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));

  const watchClient = imapSegmenter(({ line, continued }) => {
    if (line === undefined || continued) return;
    if (st.idleTag && /^DONE$/i.test(line)) return;
    const m = /^(\S+) (?:UID )?([A-Za-z]+)/i.exec(line);
    if (!m) return;
    const tag = m[1]!;
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
  });

  const toClient = imapSegmenter(({ bytes, line, continued }) => {
    if (line !== undefined && !continued) {
      let m: RegExpExecArray | null;
      if ((m = /^\* (\d+) EXISTS/i.exec(line))) st.exists = Number(m[1]);
      else if (/^\* \d+ EXPUNGE/i.test(line) && st.exists !== undefined) st.exists--;
      else if ((m = /^\* OK \[UIDVALIDITY (\d+)\]/i.exec(line))) st.uidValiditySeen = m[1];
      else if (/^\* BYE/i.test(line) && !st.loggingOut) {
        heldBye = Buffer.from(bytes); // the server is going away: hold it until we know we cannot resume
        return;
      } else if ((m = /^(\S+) (OK|NO|BAD)\b/i.exec(line)) && m[1] !== '*' && m[1] !== '+') {
        const tag = m[1]!;
        const ok = m[2]!.toUpperCase() === 'OK';
        const verb = st.outstanding.get(tag);
        st.outstanding.delete(tag);
        if (st.selecting.has(tag)) {
          st.selected = ok ? { line: st.selecting.get(tag)!, uidValidity: st.uidValiditySeen } : undefined;
          if (!ok) st.exists = undefined;
          st.selecting.delete(tag);
        } else if (ok && (verb === 'CLOSE' || verb === 'UNSELECT')) {
          st.selected = undefined;
          st.exists = undefined;
        }
        if (tag === st.idleTag) st.idleTag = undefined;
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
    client.write(bytes);
  });

  const onClientData = (chunk: Buffer) => {
    if (!st.opaque) watchClient(chunk);
    if (resuming || upstream.destroyed) held.push(chunk);
    else upstream.write(chunk);
  };
  const onUpstreamData = (chunk: Buffer) => (st.opaque ? client.write(chunk) : toClient(chunk));

  const bye = (why: string) => {
    client.end(heldBye ?? Buffer.from(`* BYE [UNAVAILABLE] tokenloop: ${why}\r\n`));
  };

  async function resume(): Promise<void> {
    const inFlight = [...st.outstanding.keys()].filter((t) => t !== st.idleTag);
    if (st.loggingOut || client.destroyed) return void client.end();
    if (inFlight.length > 0 || st.noResume || st.selected?.line === '' || st.selecting.size > 0) {
      const what = inFlight.map((t) => st.outstanding.get(t)).join(', ') || 'a mailbox selection';
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
      for (const chunk of queued) upstream.write(chunk);
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
      for (;;) {
        const line = await next.readLine();
        let m: RegExpExecArray | null;
        if ((m = /^\* (\d+) EXISTS/i.exec(line))) exists = Number(m[1]);
        else if ((m = /^\* OK \[UIDVALIDITY (\d+)\]/i.exec(line))) uidValidity = m[1];
        else if (line.startsWith('tlr1 ')) {
          if (!/^tlr1 OK/i.test(line)) throw new Error('the mailbox cannot be selected again');
          break;
        }
      }
      if (st.selected.uidValidity !== undefined && uidValidity !== st.selected.uidValidity)
        throw new Error('the mailbox UIDVALIDITY changed');
      if (exists === undefined || (st.exists !== undefined && exists < st.exists))
        throw new Error('messages were removed meanwhile');
      if (st.exists !== undefined && exists > st.exists) client.write(`* ${exists} EXISTS\r\n`);
      st.exists = exists;
    }
    if (st.idleTag) {
      next.writeLine(`${st.idleTag} IDLE`);
      const line = await next.readLine();
      if (!line.startsWith('+')) throw new Error('the server refused IDLE');
    }
  }

  function attachUpstream() {
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
