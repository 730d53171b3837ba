import { type AccountInfo, isBearerTokenSyntax } from 'tokenloop';
import { loadSettings, makeClient } from '../../client/make-client.js';
import { defaultAccount } from '../../client/account-choice.js';
import { loginCommand, loginHintFor, signInRequired, whereFlags } from '../../client/login-command.js';
import type { Settings } from '../../config/resolve.js';
import type { SettingFlags } from '../../config/resolve.js';
import { CliError } from '../../errors.js';
import { EXIT, type ExitCode } from '../../exit-codes.js';
import { commandArgument, jsonLine, terminalText } from '../../output/quote.js';
import { paint, say } from '../../output/terminal.js';
import { PlainTransportRefused } from './credential-guard.js';
import { openLineConnection } from './line-connection.js';
import { authenticate } from './mail-auth.js';
import { type MailEndpoint, outlookScopeFor, parseMailEndpoint } from './mail-endpoint.js';
import { MAIL_MECHANISMS, saslMechanism } from './mail-mechanisms.js';

export interface MailTestOptions extends SettingFlags {
  mechanism?: string;
  /** Accept a self-signed server certificate. */
  insecure?: boolean;
  /** Test this access token (read from standard input) instead of one from the token cache. */
  tokenStdin?: boolean;
  json?: boolean;
}

const claimsOf = (jwt: string): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
  } catch {
    return undefined; // opaque token
  }
};

/** Why a server may have refused a token, from what the token itself says (it never leaves this machine). */
function likelyCause(
  token: string,
  user: string,
  protocol: string,
  scope: string,
  settings: Settings | undefined,
): { cause: string; fix: string } {
  // The fixes sign in, or renew, where this command looked: with its profile and flags (loginCommand).
  const login = settings ? loginCommand(settings, { scopes: [scope], loginHint: user }) : undefined;
  const c = claimsOf(token);
  if (!c)
    return {
      cause: 'the server refused the token',
      fix: 'check that the server accepts tokens from this provider for this user',
    };
  const now = Date.now() / 1000;
  const who = [c.upn, c.preferred_username, c.email, c.unique_name]
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.toLowerCase());
  if (typeof c.exp === 'number' && c.exp < now)
    return {
      cause: 'the token has expired',
      fix: settings
        ? `run \`${['tokenloop', 'token', ...whereFlags(settings), '--scope', commandArgument(scope), '--force-refresh'].join(' ')}\`, or check this machine's clock`
        : "get a fresh token, or check this machine's clock",
    };
  if (who.length && !who.includes(user.toLowerCase())) {
    return {
      cause: `the token belongs to ${who[0]}, not to ${user}`,
      fix: `pass the mailbox owner as --user, or sign in as that user${login ? ` (\`${login}\`)` : ''} (shared mailboxes need their own permission)`,
    };
  }
  const aud = String(c.aud ?? '');
  if (aud && !/outlook\.office(365)?\.com|^00000002-0000-0ff1-ce00-000000000000$/i.test(aud)) {
    return {
      cause: `the token is for ${aud}, not for the mail server`,
      fix: `ask for the ${protocol.toUpperCase()} scope, e.g. --scope ${scope}`,
    };
  }
  return {
    cause: 'the server refused a current token for this user',
    fix: `the grant may have been revoked or the mailbox may not allow this protocol: sign in again${login ? ` (\`${login}\`)` : ''}, and check that IMAP/POP/SMTP AUTH is enabled for the mailbox`,
  };
}

/** A temporary answer (`temporaryReply`): the server did not judge the login, so nothing is said about it. */
const UNAVAILABLE = {
  cause: 'the server is temporarily unavailable (its answer asks to try again later)',
  fix: 'try again later; if it lasts, check the mail service status',
};

/** The same server with TLS from the first byte: what to use when a plain connection cannot be trusted. */
const IMPLICIT_TLS: Record<MailEndpoint['protocol'], { scheme: string; port: number }> = {
  imap: { scheme: 'imaps', port: 993 },
  pop3: { scheme: 'pop3s', port: 995 },
  smtp: { scheme: 'submissions', port: 465 },
};

/** S78: why `mail test` sent nothing, and what works instead. */
function plainTransportError(endpoint: MailEndpoint, err: PlainTransportRefused): CliError {
  const tls = IMPLICIT_TLS[endpoint.protocol];
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return new CliError(
    `${err.message}; nothing secret was sent`,
    EXIT.failure,
    `use ${tls.scheme}://${host} (TLS from the first byte, port ${tls.port}) if the server offers it; a server that normally offers STARTTLS on ${endpoint.scheme}:// should be tried again from a network you trust`,
  );
}

/** One access token on standard input (a token from another tool, or one kept from earlier). */
async function tokenFromStdin(): Promise<string> {
  if (process.stdin.isTTY)
    throw new CliError(
      '--token-stdin reads the token from standard input',
      EXIT.usage,
      'pipe it in: … | tokenloop mail test URL --token-stdin',
    );
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const token = Buffer.concat(chunks).toString('utf8').trim();
  // The library's one RFC 6750 rule and bound (S211): the token goes into a SASL string as is.
  if (!isBearerTokenSyntax(token))
    throw new CliError(
      'standard input does not hold one access token',
      EXIT.usage,
      'give the bare token, as `tokenloop token` prints it',
    );
  return token;
}

/**
 * `tokenloop mail test URL --user USER`: connect (TLS or STARTTLS as the scheme says), report the server's
 * mechanisms, authenticate with a fresh token (XOAUTH2 or OAUTHBEARER), and report success or the decoded
 * failure with its likely cause and fix.
 */
export async function runMailTest(url: string, opts: MailTestOptions): Promise<ExitCode> {
  const endpoint = parseMailEndpoint(url);
  const mechanism = saslMechanism(opts.mechanism);
  if (!mechanism) throw new CliError(`--mechanism must be ${MAIL_MECHANISMS.join(' or ')}`, EXIT.usage);
  // A token from standard input needs no provider settings, only the mailbox user.
  const loaded = opts.tokenStdin && opts.user ? undefined : await loadSettings(opts);
  let user = loaded ? loaded.settings.user : opts.user;
  const noUser = () =>
    new CliError(
      'mail test needs the mailbox user',
      EXIT.usage,
      'pass --user you@example.com (or set it in the profile: `tokenloop profile add NAME --user you@example.com`)',
    );
  if (!user && opts.tokenStdin) throw noUser();
  const outlookScope = await outlookScopeFor(endpoint.protocol);
  let token: string;
  if (opts.tokenStdin) {
    token = await tokenFromStdin();
  } else {
    const { settings, paths } = loaded!;
    const client = await makeClient(settings, paths);
    const scopes = opts.scope?.length
      ? settings.scopes
      : client.authority.kind === 'entra'
        ? [outlookScope]
        : settings.scopes;
    let account: AccountInfo | undefined;
    try {
      // The profile's account (S131), and the mailbox user defaults to it, as `token --format xoauth2` has it.
      account = await defaultAccount(client, settings);
      const result = await client.acquireTokenSilent({ scopes, ...(account ? { account } : {}) });
      token = result.accessToken;
      user ??= result.account?.username;
    } catch (err) {
      throw signInRequired(err, settings, { scopes, loginHint: loginHintFor(account, user) }) ?? err;
    } finally {
      await client.close();
    }
  }
  if (!user) throw noUser();
  let conn;
  try {
    conn = await openLineConnection({
      host: endpoint.host,
      port: endpoint.port,
      tls: endpoint.tls === 'implicit',
      insecure: opts.insecure ?? false,
    });
  } catch (err) {
    throw new CliError(
      `cannot connect to ${endpoint.host}:${endpoint.port}: ${(err as Error).message}`,
      EXIT.temporary,
      'check the network connection and the mail server address and port, then try again',
    );
  }
  let outcome;
  try {
    outcome = await authenticate(
      conn,
      endpoint.protocol,
      { mechanism, user, token, server: { host: endpoint.host, port: endpoint.port } },
      endpoint.tls === 'starttls',
    );
  } catch (err) {
    if (err instanceof PlainTransportRefused) throw plainTransportError(endpoint, err);
    throw new CliError(
      `${endpoint.scheme}://${endpoint.host}:${endpoint.port}: ${(err as Error).message}`,
      EXIT.failure,
    );
  } finally {
    conn.close();
  }
  const cause = outcome.ok
    ? undefined
    : outcome.temporary
      ? UNAVAILABLE
      : likelyCause(token, user, endpoint.protocol, outlookScope, loaded?.settings);
  if (opts.json) {
    process.stdout.write(
      `${jsonLine({ ok: outcome.ok, temporary: outcome.temporary, server: `${endpoint.scheme}://${endpoint.host}:${endpoint.port}`, tls: conn.tls, mechanisms: outcome.mechanisms, mechanism, user, reply: outcome.serverReply, challenge: outcome.challenge ?? null, cause: cause?.cause ?? null, fix: cause?.fix ?? null })}\n`,
    );
  } else {
    say(
      `${endpoint.scheme}://${terminalText(endpoint.host)}:${endpoint.port}: ${conn.tls ? 'TLS' : 'no TLS (loopback)'}; mechanisms: ${terminalText(outcome.mechanisms.join(' ') || '(none advertised)')}`,
    );
    if (!outcome.mechanisms.includes(mechanism)) say(`  warning: the server does not advertise ${mechanism}`);
    if (outcome.ok) say(`${paint('green', '✓')} ${mechanism} login as ${terminalText(user)} succeeded`);
    else {
      say(
        `${paint('red', '✗')} ${mechanism} login as ${terminalText(user)} failed: ${terminalText(outcome.serverReply.replace(/^\S+ /, ''))}`,
      );
      if (outcome.challenge) say(`  server challenge: ${jsonLine(outcome.challenge)}`);
      // S74: the cause names what the token says (upn, aud): the token's strings, shown as text.
      say(`  likely cause: ${terminalText(cause!.cause)}`);
      say(`  fix: ${terminalText(cause!.fix)}`);
    }
  }
  return outcome.ok ? EXIT.ok : outcome.temporary ? EXIT.temporary : EXIT.failure;
}
