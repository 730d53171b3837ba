import type { Socket } from 'node:net';
import { frontConnection, nextCommand } from './front-connection.js';
import { frontLogins } from './front-login.js';
import { pipeSession } from './pipe-session.js';
import type { ProxyContext } from './proxy-context.js';
import { type Credentials, decodePlain } from './sasl-credentials.js';
import { openUpstreamSession } from './upstream.js';

/**
 * One POP3 client of the proxy: USER / PASS or AUTH PLAIN with the local password, answered by the proxy;
 * then XOAUTH2 to the real server with a fresh token, the server's +OK handed on, and the session relayed.
 */
export async function servePop3(socket: Socket, ctx: ProxyContext, id: string): Promise<void> {
  const conn = frontConnection(socket, ctx, id);
  conn.writeLine('+OK tokenloop mail proxy ready');
  const login = frontLogins(ctx, id, conn, socket);
  let userGiven: string | undefined;
  for (;;) {
    const line = await nextCommand(conn);
    if (line === undefined) return;
    const [verbRaw = '', ...args] = line.split(' ');
    const verb = verbRaw.toUpperCase();
    let creds: Credentials | undefined;
    if (verb === 'CAPA') {
      for (const l of ['+OK capability list follows', 'USER', 'SASL PLAIN', 'IMPLEMENTATION tokenloop', '.'])
        conn.writeLine(l);
      continue;
    } else if (verb === 'QUIT') {
      conn.writeLine('+OK tokenloop mail proxy closing');
      socket.end();
      return;
    } else if (verb === 'NOOP') {
      conn.writeLine('+OK');
      continue;
    } else if (verb === 'USER' && args.length > 0) {
      userGiven = Buffer.from(args.join(' '), 'latin1').toString('utf8');
      conn.writeLine('+OK');
      continue;
    } else if (verb === 'PASS' && userGiven !== undefined) {
      creds = { user: userGiven, password: Buffer.from(line.slice(5), 'latin1').toString('utf8') };
      userGiven = undefined;
    } else if (verb === 'AUTH' && args.length === 0) {
      for (const l of ['+OK', 'PLAIN', '.']) conn.writeLine(l);
      continue;
    } else if (verb === 'AUTH') {
      if (args[0]!.toUpperCase() !== 'PLAIN') {
        conn.writeLine('-ERR this proxy takes AUTH PLAIN or USER/PASS with the local password');
        continue;
      }
      let response = args[1];
      if (response === undefined) {
        conn.writeLine('+ ');
        try {
          response = await conn.readLine();
        } catch {
          conn.close();
          return;
        }
      }
      if (response === '*') {
        conn.writeLine('-ERR authentication cancelled');
        continue;
      }
      creds = decodePlain(response === '=' ? '' : response);
      if (!creds) {
        conn.writeLine('-ERR malformed PLAIN response');
        continue;
      }
    } else if (verb === 'STLS') {
      conn.writeLine('-ERR this loopback port does not offer TLS (the proxy speaks TLS to the server)');
      continue;
    } else {
      conn.writeLine('-ERR log in first (USER/PASS or AUTH PLAIN)');
      continue;
    }
    const session = await login(
      creds,
      {
        later: (why) => `-ERR [SYS/TEMP] tokenloop: ${why}`,
        wrong: '-ERR [AUTH] Invalid credentials (the local proxy password)',
        upstream: (f) => `-ERR [${f.kind === 'refused' ? 'AUTH' : 'SYS/TEMP'}] tokenloop: ${f.text}`,
      },
      (user) => openUpstreamSession(ctx, user),
    );
    if (session === 'closed') return;
    if (session === 'again') continue;
    const user = creds.user;
    conn.writeLine(session.outcome.serverReply);
    await pipeSession({
      client: conn.detach(),
      upstream: session.up.conn.detach(),
      lostLine: '-ERR [SYS/TEMP] tokenloop: the server closed the connection',
      log: (text) => ctx.log(id, `${user}: ${text}`),
    });
    ctx.log(id, `${user}: session ended`);
    return;
  }
}
