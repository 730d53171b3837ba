/**
 * The untagged responses that say what the selected mailbox holds (RFC 9051 §7.3, §7.1): its message count
 * (EXISTS, EXPUNGE) and the UIDVALIDITY / UIDNEXT of its selection. The one reading of them: the relay follows
 * them while relaying and checks them when it selects the mailbox again after a reconnect.
 */
export type MailboxUpdate =
  { exists: number } | { expunged: true } | { uidValidity: string } | { uidNext: string } | undefined;

const EXISTS = /^\* (\d+) EXISTS/i;
const EXPUNGE = /^\* \d+ EXPUNGE/i;
const UIDVALIDITY = /^\* OK \[UIDVALIDITY (\d+)\]/i;
const UIDNEXT = /^\* OK \[UIDNEXT (\d+)\]/i;
const TAG = /^\S+/;
const TAGGED = /^(\S+) (OK|NO|BAD)\b ?(.*)$/is;

/** What one server line says of the mailbox, or undefined when it says nothing of it. */
export function mailboxUpdate(line: string): MailboxUpdate {
  let m: RegExpExecArray | null;
  if ((m = EXISTS.exec(line))) return { exists: Number(m[1]) };
  if (EXPUNGE.test(line)) return { expunged: true };
  if ((m = UIDVALIDITY.exec(line))) return { uidValidity: m[1]! };
  if ((m = UIDNEXT.exec(line))) return { uidNext: m[1]! };
  return undefined;
}

/** A tagged status response (RFC 9051 §7.1: `tag SP ("OK" / "NO" / "BAD") SP resp-text`): the tag, the status
 * in capitals and the text after it; undefined for an untagged response, a continuation or anything else. */
export function taggedStatus(line: string): { tag: string; status: string; text: string } | undefined {
  const m = TAGGED.exec(line);
  if (!m || m[1] === '*' || m[1] === '+') return undefined;
  return { tag: m[1]!, status: m[2]!.toUpperCase(), text: m[3]! };
}

/** The tag a command or response line begins with. */
export function tagOf(line: string): string | undefined {
  return TAG.exec(line)?.[0];
}

/** The command `line` under another tag (the proxy's own, for a command of the client it sends again). */
export function retag(line: string, tag: string): string {
  return line.replace(TAG, tag);
}
