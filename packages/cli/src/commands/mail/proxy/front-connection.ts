import type { Socket } from 'node:net';
import { type LineConnection, wrapSocket } from '../line-connection.js';
import { PRE_LOGIN_IDLE_MS, type ProxyContext } from './proxy-context.js';

/** S75: the longest command line a mail program may send before login (RFC 4954 allows AUTH lines of 12288). */
export const MAX_COMMAND_LINE = 16 * 1024;

/**
 * A mail program's connection to one of the proxy's fronts, before login: lines, pipelined input and unread
 * answers bounded (S75), and a log line when the program is disconnected for breaking a bound.
 */
export function frontConnection(socket: Socket, ctx: ProxyContext, id: string): LineConnection {
  socket.on('error', () => {});
  return wrapSocket(socket, {
    timeoutMs: PRE_LOGIN_IDLE_MS,
    maxLine: MAX_COMMAND_LINE,
    onLimit: (why) =>
      ctx.log(
        id,
        why.kind === 'not-reading'
          ? 'disconnected: the client sends commands but does not read the answers'
          : `disconnected: a line longer than ${why.limit} bytes`,
      ),
  });
}

/** The mail program's next command line; undefined when it has gone or broke a bound (the connection is closed). */
export async function nextCommand(conn: LineConnection): Promise<string | undefined> {
  try {
    return await conn.readLine();
  } catch {
    conn.close();
    return undefined;
  }
}
