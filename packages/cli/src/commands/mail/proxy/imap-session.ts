import { type MailboxUpdate, mailboxUpdate, tagOf, taggedStatus } from './imap-responses.js';
import { type ImapSegmenter, imapSegmenter, literalAnnounced } from './imap-segments.js';

/** What the relay knows of the IMAP session, from watching both directions (never message content). */
export interface SessionState {
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

export interface SessionTracker {
  state: SessionState;
  /** Follows the client's bytes (its commands; literals are data). */
  watchClient: ImapSegmenter;
  /**
   * Follows one whole server line. `hold-bye` when the server says BYE while the client is not logging out: the
   * relay holds it until it knows whether it can resume the session.
   */
  serverLine(line: string): 'hold-bye' | undefined;
}

/** Tracks an IMAP session from both directions: commands in flight, the selected mailbox, IDLE, ENABLE, COMPRESS. */
export function trackSession(): SessionTracker {
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
  const watchClient = imapSegmenter(({ line, continued }) => {
    if (line !== undefined) clientLine(st, line, continued);
  }, true);
  return { state: st, watchClient, serverLine: (line) => serverLine(st, watchClient, line) };
}

/** Follows one line of the client's: a command begins (or continues after a literal), or IDLE ends. */
function clientLine(st: SessionState, line: string, continued: boolean): void {
  if (literalAnnounced(line)?.sync) st.literalTag = continued ? st.currentTag : tagOf(line);
  if (continued) return;
  if (st.idleTag && /^DONE$/i.test(line)) {
    st.idleDone = true;
    return;
  }
  const m = /^(\S+) (?:UID )?([A-Za-z]+)/i.exec(line);
  if (m) commandSent(st, m[1]!, m[2]!.toUpperCase(), line);
}

/** A command the client sent: in flight until its tagged completion; what it will change is noted. */
function commandSent(st: SessionState, tag: string, verb: string, line: string): void {
  st.currentTag = tag;
  st.outstanding.set(tag, verb);
  if (verb === 'SELECT' || verb === 'EXAMINE') st.selecting.set(tag, /\}$/.test(line) ? '' : line);
  if (verb === 'IDLE') st.idleTag = tag;
  if (verb === 'LOGOUT') st.loggingOut = true;
  if (verb === 'ENABLE') {
    if (/QRESYNC/i.test(line)) st.noResume = true;
    st.enabling.set(tag, line);
  }
  if (verb === 'COMPRESS') st.compressTag = tag;
}

/** Follows one whole server line (see SessionTracker.serverLine). */
function serverLine(st: SessionState, watchClient: ImapSegmenter, line: string): 'hold-bye' | undefined {
  if (line.startsWith('+') && st.literalTag !== undefined) {
    watchClient.continueLiteral(); // the client sends its literal now
    st.literalTag = undefined;
  }
  const update = mailboxUpdate(line);
  if (update) return void mailboxChanged(st, update);
  if (/^\* BYE/i.test(line) && !st.loggingOut) return 'hold-bye';
  const status = taggedStatus(line);
  if (status) completed(st, watchClient, status.tag, status.status === 'OK');
  return undefined;
}

/** What an untagged response says of the selected mailbox. */
function mailboxChanged(st: SessionState, update: NonNullable<MailboxUpdate>): void {
  if ('exists' in update) st.exists = update.exists;
  else if ('expunged' in update) {
    if (st.exists !== undefined) st.exists--;
  } else if ('uidValidity' in update) st.uidValiditySeen = update.uidValidity;
  else st.uidNextSeen = update.uidNext;
}

/** A tagged completion: the command is done; what it changed of the session takes effect. */
function completed(st: SessionState, watchClient: ImapSegmenter, tag: string, ok: boolean): void {
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
