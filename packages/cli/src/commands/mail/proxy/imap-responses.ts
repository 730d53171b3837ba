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

/** What one server line says of the mailbox, or undefined when it says nothing of it. */
export function mailboxUpdate(line: string): MailboxUpdate {
  let m: RegExpExecArray | null;
  if ((m = EXISTS.exec(line))) return { exists: Number(m[1]) };
  if (EXPUNGE.test(line)) return { expunged: true };
  if ((m = UIDVALIDITY.exec(line))) return { uidValidity: m[1]! };
  if ((m = UIDNEXT.exec(line))) return { uidNext: m[1]! };
  return undefined;
}
