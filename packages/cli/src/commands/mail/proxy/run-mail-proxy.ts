import { type Server, type Socket, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { loadSettings, makeClient } from '../../../client/make-client.js';
import type { SettingFlags } from '../../../config/resolve.js';
import { CliError } from '../../../errors.js';
import { EXIT, type ExitCode } from '../../../exit-codes.js';
import { terminalText } from '../../../output/quote.js';
import { interruptSignal } from '../../../output/terminal.js';
import { typedAccount } from '../../../client/typed-account.js';
import { type MailProtocol, outlookScopeFor } from '../mail-endpoint.js';
import { serveImap } from './imap-front.js';
import { type Listener, OUTLOOK_LISTENERS, parseListener } from './listeners.js';
import { localPasswordChecker, passwordFilePath } from './local-passwords.js';
import { loginThrottle } from './login-throttle.js';
import { servePop3 } from './pop3-front.js';
import type { ProxyContext } from './proxy-context.js';
import { serveSmtp } from './smtp-front.js';
import type { TokenSource } from './upstream.js';
import { upstreamSlots } from './upstream-slots.js';

export interface MailProxyOptions extends SettingFlags {
  imap?: string[];
  pop3?: string[];
  smtp?: string[];
  quiet?: boolean;
}

const SERVE: Record<MailProtocol, (s: Socket, ctx: ProxyContext, id: string) => Promise<void>> = {
  imap: serveImap,
  pop3: servePop3,
  smtp: serveSmtp,
};

const listen = (server: Server, l: Listener) =>
  new Promise<number>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new CliError(
          `cannot listen on ${l.host}:${l.port} for ${l.protocol}: ${err.code ?? err.message}`,
          EXIT.usage,
          err.code === 'EADDRINUSE' ? 'choose another port, e.g. --imap 2143=…' : undefined,
        ),
      ),
    );
    server.listen(l.port, l.host, () => resolve((server.address() as AddressInfo).port));
  });

/**
 * `tokenloop mail proxy`: local IMAP / POP3 / SMTP ports for programs that only know passwords. Each takes
 * the local password set with `tokenloop mail password USER`, logs in to the real server with XOAUTH2 and a
 * token kept fresh from the token cache, and relays the session. Logs say who logged in where, never
 * message content, passwords or tokens. Runs until Ctrl-C / SIGTERM.
 */
export async function runMailProxy(opts: MailProxyOptions): Promise<ExitCode> {
  const { settings, paths } = await loadSettings(opts);
  const client = await makeClient(settings, paths);
  const entra = client.authority.kind === 'entra';
  const given = (['imap', 'pop3', 'smtp'] as const).flatMap((p) =>
    (opts[p] ?? []).map((spec) => parseListener(p, spec)),
  );
  if (given.length === 0 && !entra) {
    await client.close();
    throw new CliError(
      'which mail servers? give at least one of --imap, --pop3, --smtp',
      EXIT.usage,
      'e.g. --imap 1143=imaps://imap.example.com:993 --smtp 1587=submission://smtp.example.com:587',
    );
  }
  const listeners = given.length
    ? given
    : (['imap', 'pop3', 'smtp'] as const).map((p) => parseListener(p, OUTLOOK_LISTENERS[p]));

  const tokens: TokenSource = async (user, protocol) => {
    const scopes = opts.scope?.length || !entra ? settings.scopes : [await outlookScopeFor(protocol)];
    // S71: the login name the mail program sent names the account as a typed name, never as a key.
    const account = await typedAccount(
      client,
      user,
      'sign the other accounts out (`tokenloop logout ID`), or use a separate TOKENLOOP_HOME',
    );
    return (await client.acquireTokenSilent({ scopes, ...(account ? { account } : {}) })).accessToken;
  };
  const checkPassword = localPasswordChecker(paths.config);
  const logins = loginThrottle(); // S77: one for every listener, kept across connections
  const slots = upstreamSlots(); // S91: one for every listener
  const log = (session: string, text: string) => {
    // S74: the log is terminal output: user names a client typed, servers' and providers' words go through the
    // one rule for terminal text, so no control, line break or bidirectional override reaches it raw.
    if (!opts.quiet)
      process.stderr.write(`${new Date().toISOString()} ${terminalText(session)} ${terminalText(text)}\n`);
  };

  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  let next = 1;
  try {
    for (const l of listeners) {
      const ctx: ProxyContext = {
        upstream: l.upstream,
        checkPassword,
        logins,
        tokens,
        slots,
        learned: {},
        log,
      };
      const server = createServer((socket) => {
        const id = `${l.protocol}#${next++}`;
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
        SERVE[l.protocol](socket, ctx, id).catch((err: unknown) => {
          log(id, `session failed: ${(err as Error).message}`);
          socket.destroy();
        });
      });
      servers.push(server);
      const port = await listen(server, l);
      server.on('error', (err) => log(l.protocol, `listener error: ${err.message}`)); // e.g. EMFILE: keep serving
      const u = l.upstream;
      process.stderr.write(
        `tokenloop mail proxy: ${l.protocol} on ${l.host}:${port} → ${u.scheme}://${terminalText(u.host)}:${u.port}\n`,
      );
    }
  } catch (err) {
    for (const s of servers) s.close();
    await client.close();
    throw err;
  }
  process.stderr.write(
    `  log in with your mailbox address and the local password from \`tokenloop mail password USER\` (${terminalText(passwordFilePath(paths.config))})\n`,
  );
  const { signal, dispose } = interruptSignal();
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  dispose();
  for (const s of servers) s.close();
  for (const s of sockets) s.destroy();
  await client.close();
  return EXIT.ok;
}
