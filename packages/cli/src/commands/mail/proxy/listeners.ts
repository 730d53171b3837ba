import { CliError } from '../../../errors.js';
import { EXIT } from '../../../exit-codes.js';
import { isLoopbackHost } from 'tokenloop';
import { parseHostPort } from '../host-port.js';
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
  const m = /^([^=]*)=(.+)$/.exec(spec.trim());
  const local = m ? parseHostPort(m[1]!, 'port', 'listen', `--${protocol}: `) : undefined;
  if (!m || !local) {
    throw new CliError(
      `--${protocol} ${JSON.stringify(spec)}: expected [ADDRESS:]PORT=URL`,
      EXIT.usage,
      `e.g. --${protocol} ${OUTLOOK_LISTENERS[protocol]}`,
    );
  }
  const host = local.host ?? '127.0.0.1';
  const port = local.port!;
  if (!isLoopbackHost(host)) {
    throw new CliError(
      `--${protocol}: the proxy listens on loopback addresses only, not ${host}`,
      EXIT.usage,
      'it accepts local passwords in the clear: keep it on 127.0.0.1 or ::1',
    );
  }
  const upstream = parseMailEndpoint(m[2]!);
  if (upstream.protocol !== protocol) {
    throw new CliError(`--${protocol}: ${m[2]} is a ${upstream.protocol} server`, EXIT.usage);
  }
  return { protocol, host, port, upstream };
}
