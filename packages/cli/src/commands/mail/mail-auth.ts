import { requireProtectedTransport } from './credential-guard.js';
import { hasImapCapability, imapCapabilityData, imapCapabilityList } from './imap-capability.js';
import type { LineConnection } from './line-connection.js';
import type { MailProtocol } from './mail-endpoint.js';
import type { SaslMechanism } from './mail-mechanisms.js';

/** What a server said before and during SASL authentication. */
export interface AuthOutcome {
  ok: boolean;
  /** SASL mechanisms the server advertised (after TLS). */
  mechanisms: string[];
  /** STARTTLS was offered (before TLS). */
  startTlsOffered: boolean;
  /** The server's final line (never contains the token). */
  serverReply: string;
  /** The refusal is temporary (`temporaryReply`): the server could not check the token now, it did not refuse it. */
  temporary: boolean;
  /** The decoded error challenge (RFC 7628 JSON: status, schemes, scope), when the server sent one. */
  challenge?: Record<string, unknown> | undefined;
  /** IMAP: capabilities the server announced with the login (untagged `* CAPABILITY`), if any. */
  capabilitiesAfter?: string | undefined;
}

/**
 * A final answer to a login that says "not now" rather than "no": SMTP 4xx (RFC 4954 §6, e.g. 454), IMAP
 * `[UNAVAILABLE]` (RFC 5530), POP3 `[SYS/TEMP]` / `[IN-USE]` (RFC 3206, 2449). `mail test` and the mail proxy
 * both decide with this, so that neither blames the token (or the mail program's password) for it.
 */
export function temporaryReply(protocol: MailProtocol, line: string): boolean {
  if (protocol === 'smtp') return /^4\d\d(?:[ -]|$)/.test(line);
  if (protocol === 'imap') return /^\S+ NO \[UNAVAILABLE\]/i.test(line);
  return /^-ERR \[(?:SYS\/TEMP|IN-USE)\]/i.test(line);
}

const decodeChallenge = (b64: string): Record<string, unknown> | undefined => {
  try {
    const v: unknown = JSON.parse(Buffer.from(b64.trim(), 'base64').toString('utf8'));
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

async function imapCapabilities(c: LineConnection, tag: string): Promise<string[]> {
  c.writeLine(`${tag} CAPABILITY`);
  const caps: string[] = [];
  for (;;) {
    const line = await c.readLine();
    const data = imapCapabilityData(line);
    if (data !== undefined) caps.push(...imapCapabilityList(data));
    if (line.startsWith(`${tag} `)) return caps;
  }
}

async function smtpEhlo(c: LineConnection): Promise<string[]> {
  c.writeLine('EHLO tokenloop.localhost');
  const extensions: string[] = [];
  for (;;) {
    const line = await c.readLine();
    if (!/^250[ -]/.test(line)) throw new Error(`EHLO refused: ${line.slice(0, 200)}`);
    extensions.push(line.slice(4));
    if (line[3] === ' ') return extensions;
  }
}

async function pop3Capa(c: LineConnection): Promise<string[]> {
  c.writeLine('CAPA');
  const first = await c.readLine();
  if (!first.startsWith('+OK')) return [];
  const capabilities: string[] = [];
  for (;;) {
    const line = await c.readLine();
    if (line === '.') return capabilities;
    capabilities.push(line);
  }
}

const mechanismsOf = (protocol: MailProtocol, caps: string[]): string[] =>
  protocol === 'imap'
    ? caps.filter((c) => c.toUpperCase().startsWith('AUTH=')).map((c) => c.slice(5).toUpperCase())
    : caps
        .filter((c) => /^(AUTH|SASL)\b/i.test(c))
        .flatMap((c) =>
          c
            .split(' ')
            .slice(1)
            .map((m) => m.toUpperCase()),
        );

/** What the server offers once the greeting, STARTTLS (when asked for) and the capability exchange are done. */
export interface Negotiated {
  capabilities: string[];
  /** SASL mechanisms the server advertised (after TLS). */
  mechanisms: string[];
  /** STARTTLS was offered (before TLS). */
  startTlsOffered: boolean;
}

/** Greeting, capabilities, STARTTLS when `upgrade` is set and the server offers it, capabilities again. */
export async function negotiate(
  c: LineConnection,
  protocol: MailProtocol,
  upgrade: boolean,
): Promise<Negotiated> {
  let greeting = await c.readLine();
  // SMTP greetings may span lines (`220-…` then `220 …`, RFC 5321 §4.2.1).
  while (protocol === 'smtp' && greeting.startsWith('220-')) greeting = await c.readLine();
  if (
    !(protocol === 'imap'
      ? greeting.startsWith('* OK')
      : protocol === 'pop3'
        ? greeting.startsWith('+OK')
        : greeting.startsWith('220'))
  ) {
    throw new Error(`unexpected greeting: ${greeting.slice(0, 200)}`);
  }
  const caps = async () =>
    protocol === 'imap' ? imapCapabilities(c, 'c1') : protocol === 'pop3' ? pop3Capa(c) : smtpEhlo(c);
  let capabilities = await caps();
  const startTlsOffered = capabilities.some((x) => /^(STARTTLS|STLS)$/i.test(x.trim()));
  if (upgrade && startTlsOffered) {
    c.writeLine(protocol === 'imap' ? 's1 STARTTLS' : protocol === 'pop3' ? 'STLS' : 'STARTTLS');
    const answer = await c.readLine();
    if (!/^(s1 OK|\+OK|220)/.test(answer)) throw new Error(`STARTTLS refused: ${answer.slice(0, 200)}`);
    await c.startTls();
    capabilities = await caps();
  }
  return { capabilities, mechanisms: mechanismsOf(protocol, capabilities), startTlsOffered };
}

/** A bearer token login: XOAUTH2, or OAUTHBEARER (RFC 7628) naming the server it is meant for. */
export interface BearerLogin {
  mechanism: SaslMechanism;
  user: string;
  token: string;
  /** OAUTHBEARER's `host` and `port`. */
  server?: { host: string; port: number } | undefined;
}

/**
 * SASL with a bearer token, after `negotiate`. On an error challenge the client answers with an empty response,
 * as RFC 7628 requires, and reports the server's final verdict. The credential is encoded here and nowhere else,
 * after the transport guard (S78): nothing is written on a plain connection off loopback.
 */
export async function saslLogin(
  c: LineConnection,
  protocol: MailProtocol,
  login: BearerLogin,
  negotiated: Negotiated,
): Promise<AuthOutcome> {
  requireProtectedTransport(c);
  const { oauthBearer, xoauth2 } = await import('tokenloop/mail');
  const { mechanism } = login;
  const initialResponse =
    mechanism === 'XOAUTH2'
      ? xoauth2(login.user, login.token)
      : oauthBearer(login.user, login.token, login.server ?? {});
  const { capabilities, mechanisms, startTlsOffered } = negotiated;
  if (protocol === 'imap') {
    const saslIr = hasImapCapability(capabilities, 'SASL-IR');
    c.writeLine(saslIr ? `a1 AUTHENTICATE ${mechanism} ${initialResponse}` : `a1 AUTHENTICATE ${mechanism}`);
    let challenge: Record<string, unknown> | undefined;
    let capabilitiesAfter: string | undefined;
    for (;;) {
      const line = await c.readLine();
      capabilitiesAfter = imapCapabilityData(line) ?? capabilitiesAfter;
      if (line.startsWith('+')) {
        const payload = line.slice(1).trim();
        if (!saslIr && !challenge && payload === '') {
          c.writeLine(initialResponse);
          continue;
        }
        challenge = decodeChallenge(payload);
        c.writeLine('');
        continue;
      }
      if (line.startsWith('a1 '))
        return {
          ok: line.startsWith('a1 OK'),
          mechanisms,
          startTlsOffered,
          serverReply: line,
          temporary: temporaryReply(protocol, line),
          challenge,
          capabilitiesAfter,
        };
    }
  }
  // A long initial response goes on its own line after an empty challenge (RFC 4954 §4: command lines are
  // short; servers such as Dovecot's submission refuse an AUTH line of a bearer token's length).
  const inline = `AUTH ${mechanism} ${initialResponse}`.length <= 500;
  c.writeLine(inline ? `AUTH ${mechanism} ${initialResponse}` : `AUTH ${mechanism}`);
  let sent = inline;
  let challenge: Record<string, unknown> | undefined;
  for (;;) {
    const line = await c.readLine();
    const more = protocol === 'pop3' ? line.startsWith('+ ') || line === '+' : line.startsWith('334');
    if (more) {
      const payload = line.replace(/^(\+|334) ?/, '');
      if (!sent && payload.trim() === '') {
        c.writeLine(initialResponse);
        sent = true;
        continue;
      }
      challenge = decodeChallenge(payload);
      c.writeLine('');
      continue;
    }
    const ok = protocol === 'pop3' ? line.startsWith('+OK') : line.startsWith('235');
    return {
      ok,
      mechanisms,
      startTlsOffered,
      serverReply: line,
      temporary: !ok && temporaryReply(protocol, line),
      challenge,
    };
  }
}

/** `negotiate` then `saslLogin`: what `mail test` does. */
export async function authenticate(
  c: LineConnection,
  protocol: MailProtocol,
  login: BearerLogin,
  upgrade: boolean,
): Promise<AuthOutcome> {
  return saslLogin(c, protocol, login, await negotiate(c, protocol, upgrade));
}
