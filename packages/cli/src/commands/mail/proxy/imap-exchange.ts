import type { LineConnection } from '../line-connection.js';
import { tagOf, taggedStatus } from './imap-responses.js';

/**
 * Sends a command of the proxy's own (`line`, tagged) and reads the server's lines up to the response under its
 * tag, handing every line before it to `untagged`. Whether the server answered OK.
 */
export async function exchange(
  conn: LineConnection,
  line: string,
  untagged: (line: string) => void = () => {},
): Promise<boolean> {
  const tagged = `${tagOf(line)} `;
  conn.writeLine(line);
  for (;;) {
    const reply = await conn.readLine();
    if (reply.startsWith(tagged)) return taggedStatus(reply)?.status === 'OK';
    untagged(reply);
  }
}
