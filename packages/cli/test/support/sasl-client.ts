// One SASL login over a plain loopback connection, as a raw client: IMAP `AUTHENTICATE` (SASL-IR), POP3 and SMTP
// `AUTH` (the initial response on its own line after `334`/`+`, which every server takes). On an error challenge
// the client answers as RFC 7628 says and reports the server's final reply and the decoded challenge. After a
// success it runs a command that only an authenticated session may run, so that "logged in" is proven by the
// server doing something for the user, not by one reply line. Nothing here prints or returns the token.
import { type TextClient, textClient } from './text-client.js';

export type SaslProtocol = 'imap' | 'pop3' | 'smtp';
export type SaslMechanism = 'XOAUTH2' | 'OAUTHBEARER';

export interface SaslAttempt {
  ok: boolean;
  /** The server's final reply to the authentication (servers never echo the token). */
  reply: string;
  /** The RFC 7628 error challenge the server sent before refusing, decoded (`status`, `schemes`, `scope`). */
  challenge?: Record<string, unknown>;
  /**
   * After a success, the reply to what only an authenticated session may do: IMAP `SELECT INBOX`, POP3 `STAT`,
   * SMTP `RCPT TO` a remote address after `MAIL FROM` (relaying is for authenticated clients only).
   */
  proof?: string;
}

const decode = (b64: string): Record<string, unknown> | undefined => {
  try {
    const v: unknown = JSON.parse(Buffer.from(b64.trim(), 'base64').toString('utf8'));
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

const last = async (c: TextClient, until: RegExp) => (await c.waitFor(until)).at(-1)!;

/**
 * Logs in to 127.0.0.1:`port` with `mechanism` and `initialResponse` (from `xoauth2` / `oauthBearer` of
 * `tokenloop/mail`). `from` is the envelope sender for the SMTP proof.
 */
export async function saslAttempt(
  protocol: SaslProtocol,
  port: number,
  mechanism: SaslMechanism,
  initialResponse: string,
  from: string,
): Promise<SaslAttempt> {
  const c = await textClient(port);
  // RFC 7628 §3.2.3: the client answers an error challenge with a dummy ^A; XOAUTH2 clients send nothing.
  const dummy = mechanism === 'OAUTHBEARER' ? 'AQ==' : '';
  try {
    if (protocol === 'imap') {
      await c.waitFor(/^\* OK/);
      c.send(`a1 AUTHENTICATE ${mechanism} ${initialResponse}`);
      let challenge: Record<string, unknown> | undefined;
      let reply = await last(c, /^(a1 |\+)/);
      if (reply.startsWith('+')) {
        challenge = decode(reply.slice(1));
        c.send(dummy);
        reply = await last(c, /^a1 /);
      }
      if (!reply.startsWith('a1 OK')) return { ok: false, reply, ...(challenge ? { challenge } : {}) };
      c.send('a2 SELECT INBOX');
      const proof = await last(c, /^a2 /);
      c.send('a3 LOGOUT');
      return { ok: true, reply, proof };
    }
    if (protocol === 'pop3') {
      await c.waitFor(/^\+OK/);
      c.send(`AUTH ${mechanism}`);
      const go = await last(c, /^(\+|-ERR)/);
      if (go.startsWith('-ERR')) return { ok: false, reply: go };
      c.send(initialResponse);
      let challenge: Record<string, unknown> | undefined;
      let reply = await last(c, /^(\+|-ERR)/);
      if (reply.startsWith('+ ')) {
        challenge = decode(reply.slice(2));
        c.send(dummy);
        reply = await last(c, /^(\+OK|-ERR)/);
      }
      if (!reply.startsWith('+OK')) return { ok: false, reply, ...(challenge ? { challenge } : {}) };
      c.send('STAT');
      const proof = await last(c, /^(\+OK|-ERR)/);
      c.send('QUIT');
      return { ok: true, reply, proof };
    }
    await c.waitFor(/^220 /);
    c.send('EHLO client.test');
    await c.waitFor(/^250 /);
    c.send(`AUTH ${mechanism}`);
    const go = await last(c, /^\d{3} /);
    if (!go.startsWith('334')) return { ok: false, reply: go };
    c.send(initialResponse);
    let challenge: Record<string, unknown> | undefined;
    let reply = await last(c, /^\d{3} /);
    if (reply.startsWith('334 ')) {
      challenge = decode(reply.slice(4));
      c.send(dummy);
      reply = await last(c, /^\d{3} /);
    }
    if (!reply.startsWith('235')) return { ok: false, reply, ...(challenge ? { challenge } : {}) };
    c.send(`MAIL FROM:<${from}>`);
    await c.waitFor(/^\d{3} /);
    c.send('RCPT TO:<carol@example.net>');
    const proof = await last(c, /^\d{3} /);
    c.send('QUIT');
    return { ok: true, reply, proof };
  } finally {
    c.close();
  }
}
