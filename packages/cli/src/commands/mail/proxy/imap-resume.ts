import type { Socket } from 'node:net';
import type { LineConnection } from '../line-connection.js';
import { exchange } from './imap-exchange.js';
import { mailboxUpdate, retag } from './imap-responses.js';
import type { SessionState } from './imap-session.js';

/**
 * Why the session cannot be resumed on a new connection (what was in flight), or undefined when it can: the
 * client is between commands or idling, no selection is under way, and the session is not QRESYNC or compressed.
 */
export function whyNotResumable(st: SessionState, clientMidCommand: boolean): string | undefined {
  const inFlight = [...st.outstanding.keys()].filter((t) => t !== st.idleTag);
  if (clientMidCommand) inFlight.push(st.currentTag ?? '*');
  if (inFlight.length > 0 || st.noResume || st.selected?.line === '' || st.selecting.size > 0)
    return inFlight.map((t) => st.outstanding.get(t) ?? 'a command').join(', ') || 'a mailbox selection';
  return undefined;
}

/**
 * Brings a new, logged-in connection to where the old one was: re-enables extensions, re-selects the mailbox
 * (checking nothing was lost meanwhile), re-enters IDLE — or finishes the client's IDLE when its DONE was lost.
 * Throws, saying why, when the session cannot go on.
 */
export async function restoreSession(next: LineConnection, st: SessionState, client: Socket): Promise<void> {
  for (const [i, line] of st.enabled.entries())
    if (!(await exchange(next, retag(line, `tle${i}`)))) throw new Error('the server refused ENABLE');
  if (st.selected) {
    let exists: number | undefined;
    let uidValidity: string | undefined;
    let uidNext: string | undefined;
    const selected = await exchange(next, retag(st.selected.line, 'tlr1'), (line) => {
      const update = mailboxUpdate(line);
      if (update && 'exists' in update) exists = update.exists;
      else if (update && 'uidValidity' in update) uidValidity = update.uidValidity;
      else if (update && 'uidNext' in update) uidNext = update.uidNext;
    });
    if (!selected) throw new Error('the mailbox cannot be selected again');
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
