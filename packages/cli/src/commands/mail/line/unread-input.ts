import { LF, lineText, unendedLength } from './line-framing.js';

/** S75: received and not yet read (pipelined commands): reading from the socket pauses above this. */
export const MAX_UNREAD_INPUT = 64 * 1024;

/** What a connection received and was not read yet, taken a line or a run of bytes at a time. */
export interface UnreadInput {
  add(chunk: Buffer): void;
  /** S75: more than MAX_UNREAD_INPUT waits to be read. */
  full(): boolean;
  /** How many bytes of a line not ended yet it ends with. */
  unended(): number;
  /** The size of the first whole line, its LF included; undefined until a line has ended. */
  lineSize(): number | undefined;
  /** Takes a line of `size` bytes (as lineSize said) and gives its text. */
  takeLine(size: number): string;
  /** At least `n` bytes have come. */
  has(n: number): boolean;
  /** The first `n` bytes (a copy), taken. */
  takeBytes(n: number): Buffer;
  /** Everything held, which is then forgotten. */
  takeAll(): Buffer;
}

export function unreadInput(): UnreadInput {
  let buffer: Buffer = Buffer.alloc(0);
  const drop = (n: number) => {
    buffer = buffer.subarray(n);
  };
  return {
    add(chunk) {
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    },
    full: () => buffer.length > MAX_UNREAD_INPUT,
    unended: () => unendedLength(buffer),
    lineSize() {
      const i = buffer.indexOf(LF);
      return i < 0 ? undefined : i + 1;
    },
    takeLine(size) {
      const line = lineText(buffer, 0, size - 1);
      drop(size);
      return line;
    },
    has: (n) => buffer.length >= n,
    takeBytes(n) {
      const bytes = Buffer.from(buffer.subarray(0, n));
      drop(n);
      return bytes;
    },
    takeAll() {
      const all = buffer;
      buffer = Buffer.alloc(0);
      return all;
    },
  };
}
