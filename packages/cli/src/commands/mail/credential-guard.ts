import { isLoopbackAddress } from 'tokenloop';
import { CliError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import type { LineConnection } from './line-connection.js';

/** A credential was about to go over a connection that is neither encrypted nor to this machine. */
export class PlainTransportRefused extends CliError {
  override name = 'PlainTransportRefused';
  constructor(readonly peer: string) {
    super(
      `refusing to send the token to ${peer}: the connection is not encrypted (no TLS, and the server offered no STARTTLS — or something on the network removed it) and the server is not on this machine`,
      EXIT.failure,
    );
  }
}

/**
 * S78: the one check before the first byte of a credential is written. A connection may carry a credential only
 * when TLS is established on it, or when its other end is a loopback address (by the socket's real peer
 * address, not by the name it was reached under; the library's one rule, S210: 127.0.0.0/8 and ::1, also
 * IPv4-mapped). Every path that sends a credential calls this first: the
 * SASL sender (`saslLogin`, used by `mail test` and the mail proxy's upstream login) and the proxy before it
 * fetches a token.
 */
export function requireProtectedTransport(conn: LineConnection): void {
  if (conn.tls || isLoopbackAddress(conn.peerAddress)) return;
  throw new PlainTransportRefused(conn.peer);
}
