import type { Socket } from 'node:net';
import type { LineConnection } from '../line-connection.js';
import { imapCapabilityCode, imapCapabilityData } from '../imap-capability.js';
import type { AuthOutcome } from '../mail-auth.js';
import { frontConnection, nextCommand } from './front-connection.js';
import { frontLogins } from './front-login.js';
import { exchange } from './imap-exchange.js';
import { relayImap } from './imap-relay.js';
import { taggedStatus } from './imap-responses.js';
import { commandLine, readAstrings } from './imap-strings.js';
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

type Answered = 'answered' | 'closed' | 'login';

/** Answers a command before login itself; 'login' for LOGIN / AUTHENTICATE, which it leaves to the caller. */
function answerBeforeLogin(conn: LineConnection, socket: Socket, tag: string, verb: string): Answered {
  switch (verb) {
    case 'CAPABILITY':
      conn.writeLine(`* CAPABILITY ${CAPABILITIES}`);
      conn.writeLine(`${tag} OK CAPABILITY completed`);
      return 'answered';
    case 'ID':
      conn.writeLine('* ID ("name" "tokenloop mail proxy")');
      conn.writeLine(`${tag} OK ${verb} completed`);
      return 'answered';
    case 'NOOP':
      conn.writeLine(`${tag} OK ${verb} completed`);
      return 'answered';
    case 'LOGOUT':
      conn.writeLine('* BYE tokenloop mail proxy closing');
      conn.writeLine(`${tag} OK LOGOUT completed`);
      socket.end();
      return 'closed';
    case 'STARTTLS':
      conn.writeLine(`${tag} NO this loopback port does not offer TLS (the proxy speaks TLS to the server)`);
      return 'answered';
    case 'LOGIN':
    case 'AUTHENTICATE':
      return 'login';
    default:
      conn.writeLine(`${tag} BAD log in first (LOGIN or AUTHENTICATE PLAIN)`);
      return 'answered';
  }
}

/**
 * The text of the tagged OK the client gets for its login. The client must learn the server's capabilities now
 * (its pre-login ones were the proxy's): from the server's OK, from an untagged CAPABILITY sent with it, or by
 * asking. Throws when the server fails while asked.
 */
async function loginOkText(up: LineConnection, outcome: AuthOutcome): Promise<string> {
  const okText = taggedStatus(outcome.serverReply)?.text || 'Logged in';
  if (imapCapabilityCode(okText) !== undefined) return okText;
  let caps = outcome.capabilitiesAfter;
  if (caps === undefined)
    await exchange(up, 'a2 CAPABILITY', (line) => {
      caps = imapCapabilityData(line) ?? caps;
    });
  return caps ? `[CAPABILITY ${caps}] ${okText.replace(/^\[[^\]]*\] ?/, '')}` : okText;
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
    const command = commandLine(line);
    if (!command) {
      conn.writeLine('* BAD command line not understood');
      continue;
    }
    const { tag, verb, rest } = command;
    const answered = answerBeforeLogin(conn, socket, tag, verb);
    if (answered === 'closed') return;
    if (answered === 'answered') continue;
    let creds: Credentials | undefined;
    try {
      creds = await credentialsOf(conn, tag, verb, rest);
    } catch {
      conn.close();
      return;
    }
    if (creds && (await logInAndRelay({ conn, ctx, id, admit }, tag, creds)) === 'done') return;
  }
}

/**
 * Logs `creds` in (`admit`, the connection's one frontLogins: the local password, the throttle, the server
 * login) and relays the session: 'done' when the connection is over, 'again' when the client may try another
 * command.
 */
async function logInAndRelay(
  front: { conn: LineConnection; ctx: ProxyContext; id: string; admit: ReturnType<typeof frontLogins> },
  tag: string,
  creds: Credentials,
): Promise<'done' | 'again'> {
  const { conn, ctx, id, admit } = front;
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
  if (first === 'closed') return 'done';
  if (first === 'again') return 'again';
  let okText: string;
  try {
    okText = await loginOkText(first.conn, first.outcome);
  } catch (err) {
    first.conn.close();
    const why = `the server failed after the login: ${(err as Error).message}`;
    ctx.log(id, `${user}: ${why}`);
    conn.writeLine(`${tag} NO [UNAVAILABLE] tokenloop: ${why}`);
    return 'again';
  }
  conn.writeLine(`${tag} OK ${okText}`);
  await relayImap({
    client: conn.detach(),
    upstream: first.conn.detach(),
    reconnect: async () => (await login()).conn,
    log: (text) => ctx.log(id, `${user}: ${text}`),
  });
  ctx.log(id, `${user}: session ended`);
  return 'done';
}
