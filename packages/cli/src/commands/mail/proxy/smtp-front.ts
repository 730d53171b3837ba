import type { Socket } from 'node:net';
import type { LineConnection } from '../line-connection.js';
import { frontConnection, nextCommand } from './front-connection.js';
import { frontLogins } from './front-login.js';
import { pipeSession } from './pipe-session.js';
import type { ProxyContext } from './proxy-context.js';
import { type Credentials, decodeLoginField, decodePlain } from './sasl-credentials.js';
import { openUpstreamSession } from './upstream.js';

/**
 * Extensions of the server the client may use after AUTH (ours replace its AUTH and STARTTLS): well-formed
 * EHLO lines (RFC 5321 §4.1.1.1: a keyword, then printable parameters), a bounded number of them.
 */
const passOn = (extensions: string[]) =>
  extensions
    .slice(1)
    .filter((e) => /^[A-Za-z0-9][A-Za-z0-9-]*( [\x21-\x7e]+)*$/.test(e) && e.length <= 512)
    .filter((e) => !/^(AUTH|STARTTLS)\b/i.test(e) && !/^AUTH=/i.test(e))
    .slice(0, 50);

/**
 * S91: what EHLO offers before any login through this port has shown the server's own extensions: none but
 * ours (AUTH), which every mail program can work with (no pipelining, 7-bit or encoded messages).
 */
const UNTIL_LEARNED: string[] = [];

async function readResponse(conn: LineConnection): Promise<string | undefined> {
  const line = await conn.readLine();
  return line === '*' ? undefined : line;
}

/** Reads AUTH PLAIN or AUTH LOGIN credentials; undefined (after answering) when there were none. */
async function credentialsOf(conn: LineConnection, args: string[]): Promise<Credentials | undefined> {
  const mechanism = args[0]?.toUpperCase();
  if (mechanism === 'PLAIN') {
    let response: string | undefined = args[1];
    if (response === undefined) {
      conn.writeLine('334 ');
      response = await readResponse(conn);
    }
    const creds = response === undefined ? undefined : decodePlain(response === '=' ? '' : response);
    if (!creds) conn.writeLine('501 5.5.2 malformed or cancelled PLAIN response');
    return creds;
  }
  if (mechanism === 'LOGIN') {
    let userB64: string | undefined = args[1];
    if (userB64 === undefined) {
      conn.writeLine('334 VXNlcm5hbWU6');
      userB64 = await readResponse(conn);
    }
    const user = userB64 === undefined ? undefined : decodeLoginField(userB64);
    if (user === undefined) {
      conn.writeLine('501 5.5.2 malformed or cancelled LOGIN response');
      return undefined;
    }
    conn.writeLine('334 UGFzc3dvcmQ6');
    const pwB64 = await readResponse(conn);
    const password = pwB64 === undefined ? undefined : decodeLoginField(pwB64);
    if (!user || !password) {
      conn.writeLine('501 5.5.2 malformed or cancelled LOGIN response');
      return undefined;
    }
    return { user, password };
  }
  conn.writeLine('504 5.5.4 this proxy takes AUTH PLAIN or AUTH LOGIN with the local password');
  return undefined;
}

/**
 * One SMTP client of the proxy. S91: the proxy answers EHLO itself, without reaching the server, offering the
 * extensions the server offered at the last login through this port (with AUTH PLAIN / LOGIN in place of the
 * server's AUTH); at AUTH it checks the local password, then logs in upstream with XOAUTH2 and a fresh token,
 * and relays the rest.
 */
export async function serveSmtp(socket: Socket, ctx: ProxyContext, id: string): Promise<void> {
  const conn = frontConnection(socket, ctx, id);
  conn.writeLine('220 localhost tokenloop mail proxy ESMTP');
  const login = frontLogins(ctx, id, conn, socket);
  let greeted = false;
  for (;;) {
    const line = await nextCommand(conn);
    if (line === undefined) return;
    const [verbRaw = '', ...args] = line.split(' ').filter(Boolean);
    const verb = verbRaw.toUpperCase();
    if (verb === 'EHLO') {
      greeted = true;
      const lines = ['localhost', ...(ctx.learned.smtpExtensions ?? UNTIL_LEARNED), 'AUTH PLAIN LOGIN'];
      lines.forEach((l, i) => conn.writeLine(`250${i === lines.length - 1 ? ' ' : '-'}${l}`));
      continue;
    }
    if (verb === 'HELO') {
      greeted = true;
      conn.writeLine('250 localhost');
      continue;
    }
    if (verb === 'QUIT') {
      conn.writeLine('221 2.0.0 tokenloop mail proxy closing');
      socket.end();
      return;
    }
    if (verb === 'NOOP' || verb === 'RSET') {
      conn.writeLine('250 2.0.0 OK');
      continue;
    }
    if (verb === 'STARTTLS') {
      conn.writeLine('502 5.5.1 this loopback port does not offer TLS (the proxy speaks TLS to the server)');
      continue;
    }
    if (verb === 'MAIL' || verb === 'RCPT' || verb === 'DATA' || verb === 'BDAT') {
      conn.writeLine('530 5.7.0 Authentication required');
      continue;
    }
    if (verb !== 'AUTH') {
      conn.writeLine('502 5.5.2 command not recognised before AUTH');
      continue;
    }
    if (!greeted) {
      conn.writeLine('503 5.5.1 EHLO first');
      continue;
    }
    let creds: Credentials | undefined;
    try {
      creds = await credentialsOf(conn, args);
    } catch {
      conn.close();
      return;
    }
    if (!creds) continue;
    const session = await login(
      creds,
      {
        later: (why) => `454 4.7.0 tokenloop: ${why}`,
        wrong: '535 5.7.8 Authentication credentials invalid (the local proxy password)',
        upstream: (f) => `${f.kind === 'refused' ? '535 5.7.8' : '454 4.7.0'} tokenloop: ${f.text}`,
      },
      async (user) => (await openUpstreamSession(ctx, user)).up,
    );
    if (session === 'closed') return;
    if (session === 'again') continue;
    const user = creds.user;
    ctx.learned.smtpExtensions = passOn(session.negotiated.capabilities);
    conn.writeLine('235 2.7.0 Authentication successful');
    await pipeSession({
      client: conn.detach(),
      upstream: session.conn.detach(),
      lostLine: '421 4.4.2 tokenloop: the server closed the connection',
      log: (text) => ctx.log(id, `${user}: ${text}`),
    });
    ctx.log(id, `${user}: session ended`);
    return;
  }
}
