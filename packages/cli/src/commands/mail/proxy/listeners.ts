import { CliError } from '../../../errors.js';
import { EXIT } from '../../../exit-codes.js';
import { isLoopbackHost } from 'tokenloop';
import { type MailEndpoint, type MailProtocol, parseMailEndpoint } from '../mail-endpoint.js';

/** One local port of the proxy and the real server behind it. */
export interface Listener {
  protocol: MailProtocol;
  host: string;
  port: number;
  upstream: MailEndpoint;
}

/** Microsoft 365's servers, used when no listener is given and the authority is Entra. */
export const OUTLOOK_LISTENERS: Record<MailProtocol, string> = {
  imap: '1143=imaps://outlook.office365.com:993',
  pop3: '1110=pop3s://outlook.office365.com:995',
  smtp: '1587=submission://smtp.office365.com:587',
};

/** `[ADDRESS:]PORT=URL`, e.g. `1143=imaps://outlook.office365.com`; the address must be loopback. */
export function parseListener(protocol: MailProtocol, spec: string): Listener {
  const m = /^(?:(\[[^\]]+\]|[^=[\]]+):)?(\d{1,5})=(.+)$/.exec(spec.trim());
  if (!m) {
    throw new CliError(
      `--${protocol} ${JSON.stringify(spec)}: expected [ADDRESS:]PORT=URL`,
      EXIT.usage,
      `e.g. --${protocol} ${OUTLOOK_LISTENERS[protocol]}`,
    );
  }
  const host = (m[1] ?? '127.0.0.1').replace(/^\[|\]$/g, '');
  const port = Number(m[2]);
  if (port > 65_535) throw new CliError(`--${protocol}: invalid port ${port}`, EXIT.usage);
  if (!isLoopbackHost(host)) {
    throw new CliError(
      `--${protocol}: the proxy listens on loopback addresses only, not ${host}`,
      EXIT.usage,
      'it accepts local passwords in the clear: keep it on 127.0.0.1 or ::1',
    );
  }
  const upstream = parseMailEndpoint(m[3]!);
  if (upstream.protocol !== protocol) {
    throw new CliError(`--${protocol}: ${m[3]} is a ${upstream.protocol} server`, EXIT.usage);
  }
  return { protocol, host, port, upstream };
}
