import { CliError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';

/** A host name, an IPv4 address, or an IPv6 address in brackets (as in a URL: a bare one would hold `:`). */
const HOST = String.raw`\[[^\]]+\]|[^:/=[\]]+`;
/** `HOST[:PORT]` (a server's URL authority) and `[HOST:]PORT` (a proxy listener). */
const PATTERNS = {
  host: new RegExp(`^(${HOST})(?::(\\d{1,5}))?$`),
  port: new RegExp(`^(?:(${HOST}):)?(\\d{1,5})$`),
};

export interface HostPort {
  /** Without an IPv6 address's brackets. */
  host: string | undefined;
  port: number | undefined;
}

/**
 * The one HOST:PORT rule of the mail commands. `required` says which part may not be left out. The port rule:
 * 1–65535 for a server to `connect` to; 0–65535 for a port to `listen` on, where 0 asks the system for any free
 * port (as `tokenloop emulator --port 0` does). Undefined when the text is not HOST:PORT; a port out of range
 * is a usage error (its message starts with `what`).
 */
export function parseHostPort(
  text: string,
  required: keyof typeof PATTERNS,
  use: 'connect' | 'listen',
  what = '',
): HostPort | undefined {
  const m = PATTERNS[required].exec(text);
  if (!m) return undefined;
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && (port > 65_535 || (port === 0 && use === 'connect')))
    throw new CliError(`${what}invalid port ${port}`, EXIT.usage);
  return { host: m[1]?.replace(/^\[|\]$/g, ''), port };
}
