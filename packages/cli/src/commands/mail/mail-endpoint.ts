import { CliError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { parseHostPort } from './host-port.js';

export type MailProtocol = 'imap' | 'pop3' | 'smtp';

/** A mail server as `mail test` takes it: scheme → protocol, default port and how TLS is reached. */
export interface MailEndpoint {
  protocol: MailProtocol;
  host: string;
  port: number;
  /** `implicit`: TLS from the first byte; `starttls`: upgrade after the greeting. */
  tls: 'implicit' | 'starttls';
  scheme: string;
}

const SCHEMES: Record<string, { protocol: MailProtocol; port: number; tls: 'implicit' | 'starttls' }> = {
  imap: { protocol: 'imap', port: 143, tls: 'starttls' },
  imaps: { protocol: 'imap', port: 993, tls: 'implicit' },
  pop3: { protocol: 'pop3', port: 110, tls: 'starttls' },
  pop3s: { protocol: 'pop3', port: 995, tls: 'implicit' },
  smtp: { protocol: 'smtp', port: 25, tls: 'starttls' },
  submission: { protocol: 'smtp', port: 587, tls: 'starttls' },
  submissions: { protocol: 'smtp', port: 465, tls: 'implicit' },
};

/** Parse `imap|imaps|pop3|pop3s|smtp|submission[s]://HOST[:PORT]`. */
export function parseMailEndpoint(text: string): MailEndpoint {
  const m = /^([a-z0-9]+):\/\/([^/]*)\/?$/i.exec(text.trim());
  const scheme = m?.[1]?.toLowerCase();
  const known = scheme ? SCHEMES[scheme] : undefined;
  const authority = m && known ? parseHostPort(m[2]!, 'host', 'connect') : undefined;
  if (!authority?.host || !known) {
    throw new CliError(
      `not a mail server URL: ${JSON.stringify(text)}`,
      EXIT.usage,
      `use ${Object.keys(SCHEMES).join('|')}://HOST[:PORT]`,
    );
  }
  return { ...known, scheme: scheme!, host: authority.host, port: authority.port ?? known.port };
}

/** The Outlook scope a protocol needs (Microsoft 365); other providers take `--scope`. */
export async function outlookScopeFor(protocol: MailProtocol): Promise<string> {
  const { OUTLOOK_SCOPES } = await import('tokenloop/mail');
  return { imap: OUTLOOK_SCOPES.imap, pop3: OUTLOOK_SCOPES.pop, smtp: OUTLOOK_SCOPES.smtp }[protocol];
}
