/**
 * CRLF-framed text lines as IMAP, POP3 and SMTP send them, read one way by the line reader
 * (commands/mail/line-connection.ts) and by the IMAP relay's segmenter
 * (commands/mail/proxy/imap-segments.ts).
 */

/** The line feed that ends every line. */
export const LF = 10;

/**
 * The longest line held by default: the line reader closes a connection that sends a longer one, the IMAP
 * segmenter stops framing (and hands the bytes on untouched) past it.
 */
export const MAX_LINE = 1_000_000;

/**
 * The text of the line in `data` from `start` to `end` (the index of its LF): the bytes read as latin1, so nothing
 * is lost or rejected, without the CR before the LF.
 */
export function lineText(data: Buffer, start: number, end: number): string {
  return data.toString('latin1', start, end).replace(/\r$/, '');
}

/** How many bytes of a line not ended yet close `data` (0 when it ends with a LF). */
export function unendedLength(data: Buffer): number {
  return data.length - (data.lastIndexOf(LF) + 1);
}
