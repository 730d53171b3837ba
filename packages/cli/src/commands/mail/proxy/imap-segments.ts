/**
 * Splits one direction of an IMAP byte stream into lines and literal runs (RFC 3501 §4.3: a line ending in
 * `{n}` or `{n+}` is followed by exactly n bytes of data), so that commands and responses can be followed
 * without ever mistaking message content for protocol. Bytes are handed on unchanged.
 */
export interface Segment {
  bytes: Buffer;
  /** The line's text (latin1, no line ending); undefined for literal data. */
  line?: string;
  /** The line continues a command or response after a literal. */
  continued: boolean;
}

const MAX_LINE = 1_000_000;

export function imapSegmenter(onSegment: (s: Segment) => void): (chunk: Buffer) => void {
  let partial: Buffer = Buffer.alloc(0);
  let literalLeft = 0;
  let afterLiteral = false;
  return (chunk) => {
    const data = partial.length ? Buffer.concat([partial, chunk]) : chunk;
    partial = Buffer.alloc(0);
    let pos = 0;
    while (pos < data.length) {
      if (literalLeft > 0) {
        const n = Math.min(literalLeft, data.length - pos);
        onSegment({ bytes: data.subarray(pos, pos + n), continued: true });
        literalLeft -= n;
        pos += n;
        continue;
      }
      const nl = data.indexOf(10, pos);
      if (nl < 0) {
        partial = Buffer.from(data.subarray(pos));
        if (partial.length > MAX_LINE) {
          // Not IMAP any more: pass it on untouched rather than buffer without bound.
          onSegment({ bytes: partial, continued: true });
          partial = Buffer.alloc(0);
        }
        break;
      }
      const bytes = data.subarray(pos, nl + 1);
      const line = data.toString('latin1', pos, nl).replace(/\r$/, '');
      onSegment({ bytes, line, continued: afterLiteral });
      const literal = /\{(\d+)\+?\}$/.exec(line);
      literalLeft = literal ? Number(literal[1]) : 0;
      afterLiteral = literal !== null;
      pos = nl + 1;
    }
  };
}
