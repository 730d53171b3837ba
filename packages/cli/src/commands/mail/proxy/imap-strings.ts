import type { LineConnection } from '../line-connection.js';

/** The characters no atom holds here (RFC 3501 atom-specials and "]"); a tag does not hold "+" either. */
const ATOM_SPECIALS = String.raw`\s(){%*"\\\]`;
const ATOM = new RegExp(`^[^${ATOM_SPECIALS}]+`);
const COMMAND = new RegExp(`^([^${ATOM_SPECIALS}+]+) ([A-Za-z]+)(?: (.*))?$`);

/** A client's command line: its tag, its command name in capitals, and the arguments after them. */
export function commandLine(line: string): { tag: string; verb: string; rest: string } | undefined {
  const m = COMMAND.exec(line);
  return m ? { tag: m[1]!, verb: m[2]!.toUpperCase(), rest: m[3] ?? '' } : undefined;
}

/**
 * Reads `count` IMAP astrings (RFC 3501 §4.3: atom, "quoted" with \\ escapes, or {n} / {n+} literal) starting
 * at `rest`, asking the client for literal data with a continuation as the protocol requires. Undefined when
 * the arguments are malformed.
 */
export async function readAstrings(
  conn: LineConnection,
  rest: string,
  count: number,
  continueLiteral: () => void,
): Promise<string[] | undefined> {
  const out: string[] = [];
  let line = rest;
  while (out.length < count) {
    line = line.replace(/^ /, '');
    if (line.startsWith('"')) {
      let value = '';
      let i = 1;
      for (; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === '\\') i++;
        value += line[i] ?? '';
      }
      if (i >= line.length) return undefined;
      out.push(Buffer.from(value, 'latin1').toString('utf8'));
      line = line.slice(i + 1);
      continue;
    }
    const literal = /^\{(\d{1,6})(\+?)\}$/.exec(line);
    if (literal) {
      const n = Number(literal[1]);
      if (n > 8192) return undefined;
      if (!literal[2]) continueLiteral();
      out.push((await conn.readBytes(n)).toString('utf8'));
      line = await conn.readLine();
      continue;
    }
    const atom = ATOM.exec(line);
    if (!atom) return undefined;
    out.push(Buffer.from(atom[0], 'latin1').toString('utf8'));
    line = line.slice(atom[0].length);
  }
  return line.trim() === '' ? out : undefined;
}
