import type { Socket } from 'node:net';
import type { LineConnection } from '../line-connection.js';
import { imapCapabilityCode, imapCapabilityData } from '../imap-capability.js';
import { frontConnection, nextCommand } from './front-connection.js';
import { frontLogins } from './front-login.js';
import { readAstrings } from './imap-strings.js';
import { relayImap } from './imap-relay.js';
import type { ProxyContext } from './proxy-context.js';
import { type Credentials, decodePlain } from './sasl-credentials.js';
import { type UpstreamFailure, openUpstreamSession } from './upstream.js';

const CAPABILITIES = 'IMAP4rev1 SASL-IR LITERAL+ ID AUTH=PLAIN';

/** The IMAP response code for why the upstream login failed (RFC 5530). */
const codeOf = (f: UpstreamFailure) =>
  f.kind === 'refused'
    ? 'AUTHENTICATIONFAILED'
    : f.kind === 'sign-in'
      ? 'AUTHORIZATIONFAILED'
      : 'UNAVAILABLE';

/** Reads LOGIN or AUTHENTICATE PLAIN credentials; undefined (after answering) when there were none. */
async function credentialsOf(
  conn: LineConnection,
  tag: string,
  verb: string,
  rest: string,
): Promise<Credentials | undefined> {
  if (verb === 'LOGIN') {
    const args = await readAstrings(conn, rest, 2, () => conn.writeLine('+ Ready for literal data'));
    if (!args) conn.writeLine(`${tag} BAD LOGIN needs a user name and a password`);
    return args && { user: args[0]!, password: args[1]! };
  }
  const [mechanism, initial] = rest.split(' ');
  if (mechanism?.toUpperCase() !== 'PLAIN') {
    conn.writeLine(`${tag} NO [CANNOT] this proxy takes AUTHENTICATE PLAIN or LOGIN with the local password`);
    return undefined;
  }
  let response = initial;
  if (response === undefined) {
    conn.writeLine('+ ');
    response = await conn.readLine();
  }
  if (response === '*') {
    conn.writeLine(`${tag} BAD authentication cancelled`);
    return undefined;
  }
  const creds = decodePlain(response === '=' ? '' : response);
  if (!creds) conn.writeLine(`${tag} BAD malformed PLAIN response`);
  return creds;
}

/**
 * One IMAP client of the proxy: until login the proxy answers itself (capabilities, LOGIN / AUTHENTICATE
 * PLAIN with the local password); then it logs in to the real server with XOAUTH2 and a fresh token, hands
 * the server's tagged OK to the client under the client's tag, and relays the rest of the session.
 */
export async function serveImap(socket: Socket, ctx: ProxyContext, id: string): Promise<void> {
  const conn = frontConnection(socket, ctx, id);
  conn.writeLine(`* OK [CAPABILITY ${CAPABILITIES}] tokenloop mail proxy ready`);
  const admit = frontLogins(ctx, id, conn, socket);
  for (;;) {
    const line = await nextCommand(conn);
    if (line === undefined) return;
    const m = /^([^\s(){%*"\\\]+]+) ([A-Za-z]+)(?: (.*))?$/.exec(line);
    if (!m) {
      conn.writeLine('* BAD command line not understood');
      continue;
    }
    const tag = m[1]!;
    const verb = m[2]!.toUpperCase();
    const rest = m[3] ?? '';
    if (verb === 'CAPABILITY') {
      conn.writeLine(`* CAPABILITY ${CAPABILITIES}`);
      conn.writeLine(`${tag} OK CAPABILITY completed`);
      continue;
    }
    if (verb === 'NOOP' || verb === 'ID') {
      if (verb === 'ID') conn.writeLine('* ID ("name" "tokenloop mail proxy")');
      conn.writeLine(`${tag} OK ${verb} completed`);
      continue;
    }
    if (verb === 'LOGOUT') {
      conn.writeLine('* BYE tokenloop mail proxy closing');
      conn.writeLine(`${tag} OK LOGOUT completed`);
      socket.end();
      return;
    }
    if (verb === 'STARTTLS') {
      conn.writeLine(`${tag} NO this loopback port does not offer TLS (the proxy speaks TLS to the server)`);
      continue;
    }
    if (verb !== 'LOGIN' && verb !== 'AUTHENTICATE') {
      conn.writeLine(`${tag} BAD log in first (LOGIN or AUTHENTICATE PLAIN)`);
      continue;
    }
    let creds: Credentials | undefined;
    try {
      creds = await credentialsOf(conn, tag, verb, rest);
    } catch {
      conn.close();
      return;
    }
    if (!creds) continue;
    const user = creds.user;
    const login = async () => {
      const { up, outcome } = await openUpstreamSession(ctx, user);
      return { conn: up.conn, outcome };
    };
    const first = await admit(
      creds,
      {
        later: (why) => `${tag} NO [UNAVAILABLE] tokenloop: ${why}`,
        wrong: `${tag} NO [AUTHENTICATIONFAILED] Invalid credentials (the local proxy password)`,
        farewell: '* BYE too many failed logins',
        upstream: (f) => `${tag} NO [${codeOf(f)}] tokenloop: ${f.text}`,
      },
      login,
    );
    if (first === 'closed') return;
    if (first === 'again') continue;
    // The client must learn the server's capabilities now (its pre-login ones were the proxy's): from the
    // server's OK, from an untagged CAPABILITY sent with it, or by asking.
    let okText = first.outcome.serverReply.replace(/^\S+ OK ?/i, '') || 'Logged in';
    if (imapCapabilityCode(okText) === undefined) {
      let caps = first.outcome.capabilitiesAfter;
      if (caps === undefined) {
        try {
          first.conn.writeLine('a2 CAPABILITY');
          for (;;) {
            const l = await first.conn.readLine();
            caps = imapCapabilityData(l) ?? caps;
            if (l.startsWith('a2 ')) break;
          }
        } catch (err) {
          first.conn.close();
          const why = `the server failed after the login: ${(err as Error).message}`;
          ctx.log(id, `${user}: ${why}`);
          conn.writeLine(`${tag} NO [UNAVAILABLE] tokenloop: ${why}`);
          continue;
        }
      }
      if (caps) okText = `[CAPABILITY ${caps}] ${okText.replace(/^\[[^\]]*\] ?/, '')}`;
    }
    conn.writeLine(`${tag} OK ${okText}`);
    await relayImap({
      client: conn.detach(),
      upstream: first.conn.detach(),
      reconnect: async () => (await login()).conn,
      log: (text) => ctx.log(id, `${user}: ${text}`),
    });
    ctx.log(id, `${user}: session ended`);
    return;
  }
}
