import { CliError, describeError } from '../../../errors.js';
import { EXIT } from '../../../exit-codes.js';
import { commandArgument } from '../../../output/quote.js';
import { PlainTransportRefused, requireProtectedTransport } from '../credential-guard.js';
import { type LineConnection, openLineConnection } from '../line-connection.js';
import { type AuthOutcome, type Negotiated, negotiate, saslLogin } from '../mail-auth.js';
import type { MailEndpoint } from '../mail-endpoint.js';
import type { ProxyContext } from './proxy-context.js';

/** The exit code each kind of upstream failure means, as `tokenloop mail test` ends for the same failure. */
const EXIT_OF_KIND = {
  'sign-in': EXIT.signInRequired,
  temporary: EXIT.temporary,
  refused: EXIT.failure,
  failure: EXIT.failure,
} as const;

/** Why the proxy could not log a user in upstream; `text` is safe to show the mail program. */
export class UpstreamFailure extends CliError {
  override name = 'UpstreamFailure';
  constructor(
    readonly kind: keyof typeof EXIT_OF_KIND,
    readonly text: string,
  ) {
    super(text, EXIT_OF_KIND[kind]);
  }
}

/** A fresh access token for a user and protocol (the proxy's token client; silent only). */
export type TokenSource = (user: string, protocol: MailEndpoint['protocol']) => Promise<string>;

export interface Upstream {
  conn: LineConnection;
  negotiated: Negotiated;
}

/** The proxy's words for a plain upstream off loopback (S78), with what to configure instead. */
const plainUpstream = (err: PlainTransportRefused) =>
  new UpstreamFailure(
    'failure',
    `${err.message}; give the server's TLS port (imaps://, pop3s://, submissions://) or one that offers STARTTLS`,
  );

/**
 * Connects to the real server and negotiates TLS. A server that is not on this machine must end up
 * encrypted (implicit TLS or STARTTLS): the transport guard (S78) refuses before a token is even fetched.
 */
export async function connectUpstream(endpoint: MailEndpoint): Promise<Upstream> {
  let conn: LineConnection;
  try {
    conn = await openLineConnection({
      host: endpoint.host,
      port: endpoint.port,
      tls: endpoint.tls === 'implicit',
      timeoutMs: 20_000,
    });
  } catch (err) {
    throw new UpstreamFailure(
      'temporary',
      `cannot reach ${endpoint.host}:${endpoint.port}: ${(err as Error).message}`,
    );
  }
  try {
    const negotiated = await negotiate(conn, endpoint.protocol, endpoint.tls === 'starttls');
    requireProtectedTransport(conn);
    return { conn, negotiated };
  } catch (err) {
    conn.close();
    if (err instanceof PlainTransportRefused) throw plainUpstream(err);
    throw new UpstreamFailure('temporary', `${endpoint.host}:${endpoint.port}: ${(err as Error).message}`);
  }
}

/** XOAUTH2 on a negotiated connection with a fresh token for `user`. */
export async function loginUpstream(
  up: Upstream,
  endpoint: MailEndpoint,
  user: string,
  tokens: TokenSource,
): Promise<AuthOutcome> {
  let token: string;
  try {
    token = await tokens(user, endpoint.protocol);
  } catch (err) {
    const { message, exitCode } = describeError(err);
    throw new UpstreamFailure(
      exitCode === EXIT.signInRequired ? 'sign-in' : exitCode === EXIT.temporary ? 'temporary' : 'failure',
      exitCode === EXIT.signInRequired
        ? `sign-in required for ${user}: run \`tokenloop login --login-hint ${commandArgument(user)}\` (${message})`
        : message,
    );
  }
  let outcome: AuthOutcome;
  try {
    outcome = await saslLogin(
      up.conn,
      endpoint.protocol,
      { mechanism: 'XOAUTH2', user, token },
      up.negotiated,
    );
  } catch (err) {
    if (err instanceof PlainTransportRefused) throw plainUpstream(err);
    throw new UpstreamFailure('temporary', `${endpoint.host}: ${(err as Error).message}`);
  }
  if (!outcome.ok) {
    // A temporary answer (mail-auth's temporaryReply) is not a refusal: the mail program must not be told its
    // password is wrong.
    if (outcome.temporary) {
      throw new UpstreamFailure(
        'temporary',
        `${endpoint.host} is unavailable: ${outcome.serverReply.slice(0, 200)}`,
      );
    }
    const why = outcome.challenge ? ` (${JSON.stringify(outcome.challenge)})` : '';
    throw new UpstreamFailure('refused', `${endpoint.host} refused the token for ${user}${why}`);
  }
  return outcome;
}

/**
 * S91: the one way a front reaches the real server — only after the local password was accepted: under one of
 * the proxy's upstream slots, connect, negotiate and log in with a fresh token for `user`. Throws
 * UpstreamFailure; the connection is closed on failure.
 */
export async function openUpstreamSession(
  ctx: Pick<ProxyContext, 'upstream' | 'tokens' | 'slots'>,
  user: string,
): Promise<{ up: Upstream; outcome: AuthOutcome }> {
  const release = await ctx.slots.take();
  if (!release)
    throw new UpstreamFailure(
      'temporary',
      'too many logins to the server are being set up at once; try again in a moment',
    );
  try {
    const up = await connectUpstream(ctx.upstream);
    try {
      return { up, outcome: await loginUpstream(up, ctx.upstream, user, ctx.tokens) };
    } catch (err) {
      up.conn.close();
      throw err;
    }
  } finally {
    release();
  }
}
