import { LF, MAX_LINE, lineText } from '../line/line-framing.js';

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

const LITERAL = /\{(\d+)(\+?)\}$/;

/**
 * The literal a line announces at its end (RFC 3501 §4.3, RFC 7888): its size in bytes, and whether it is
 * synchronizing (`{n}`: the sender waits for a `+`) rather than non-synchronizing (`{n+}`).
 */
export function literalAnnounced(line: string): { size: number; sync: boolean } | undefined {
  const m = LITERAL.exec(line);
  return m ? { size: Number(m[1]), sync: !m[2] } : undefined;
}

export interface ImapSegmenter {
  (chunk: Buffer): void;
  /**
   * The other side sent `+`: the literal announced by a synchronizing `{n}` (client commands only) follows now.
   * Until then a `{n}` line is not followed by data: the server may refuse it with a tagged NO / BAD instead.
   */
  continueLiteral(): void;
  /** The command that announced a synchronizing literal was answered without `+`: no data will follow. */
  cancelLiteral(): void;
  /** A line has begun and not ended (bytes held back), or a literal is under way. */
  midCommand(): boolean;
  /** Hands back the bytes of an unfinished line (when the stream stops being IMAP, e.g. COMPRESS). */
  flush(): Buffer;
}

/**
 * `syncLiterals`: this is the client's stream, where `{n}` (without `+`) waits for the server's continuation
 * (RFC 3501 §7.5) — the relay calls `continueLiteral` / `cancelLiteral` as the server answers.
 */
export function imapSegmenter(onSegment: (s: Segment) => void, syncLiterals = false): ImapSegmenter {
  let partial: Buffer = Buffer.alloc(0);
  let literalLeft = 0;
  let afterLiteral = false;
  let awaiting: number | undefined;
  const feed = ((chunk: Buffer) => {
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
      const nl = data.indexOf(LF, pos);
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
      const line = lineText(data, pos, nl);
      onSegment({ bytes, line, continued: afterLiteral });
      const literal = literalAnnounced(line);
      if (literal?.sync && syncLiterals) {
        awaiting = literal.size; // data only after the server's `+`
        literalLeft = 0;
      } else {
        literalLeft = literal?.size ?? 0;
      }
      afterLiteral = literal !== undefined;
      pos = nl + 1;
    }
  }) as ImapSegmenter;
  feed.continueLiteral = () => {
    if (awaiting === undefined) return;
    literalLeft = awaiting;
    awaiting = undefined;
  };
  feed.cancelLiteral = () => {
    if (awaiting === undefined) return;
    awaiting = undefined;
    afterLiteral = false;
  };
  feed.midCommand = () => partial.length > 0 || literalLeft > 0 || awaiting !== undefined;
  feed.flush = () => {
    const held = partial;
    partial = Buffer.alloc(0);
    return held;
  };
  return feed;
}
