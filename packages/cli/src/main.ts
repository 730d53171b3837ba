import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { resourceUri } from './commands/token/resource-uri.js';
import { addScopes } from './config/scope-list.js';
import { reportError } from './errors.js';
import { EXIT, type ExitCode, exitCodesHelp } from './exit-codes.js';
import { VERSION } from './version.js';

function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number.`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`${name} must be from ${min} to ${max}.`);
    return n;
  };
}

function collectOne(value: string, previous: string[] = []): string[] {
  return previous.concat(value);
}

/** The options every command that talks to a provider accepts (flags > environment > profile > defaults). */
function withSettings(
  command: Command,
  extra: { scopes?: boolean; port?: boolean; user?: boolean } = {},
): Command {
  command
    .option('-p, --profile <name>', 'use this profile (default: TOKENLOOP_PROFILE, else the one in use)')
    .option('--authority <url>', "the Entra authority https://HOST/TENANT (or the emulator's)")
    .option('--issuer <url>', 'any OpenID provider, by issuer URL (instead of --authority)')
    .option(
      '--tenant <tenant>',
      "the tenant in the authority (its id or domain), e.g. for a guest's home tenant",
    )
    .option('--client-id <id>', 'application (client) id')
    .option('--ca-file <file>', "a certificate authority to trust (PEM), e.g. an https emulator's");
  if (extra.scopes !== false)
    command.option('-s, --scope <scope>', 'scope to request (repeatable)', addScopes);
  if (extra.port)
    command.addOption(
      new Option('--port <n>', 'loopback port for the browser redirect').argParser(
        integer('--port', 0, 65_535),
      ),
    );
  if (extra.user)
    command.option('--user <address>', 'mail user for xoauth2 / oauthbearer (default: the account)');
  return command;
}

/** Builds the command tree; each command's code is imported only when that command runs. */
export function buildProgram(): Command {
  const program = new Command('tokenloop')
    .description('OAuth 2.0 / OpenID Connect sign-in and tokens, first-class for Microsoft Entra ID')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `\n${exitCodesHelp()}`)
    .exitOverride();

  withSettings(
    program
      .command('login')
      .description(
        'sign in (browser with a loopback redirect; device code with --device or when there is no browser)',
      ),
    { port: true },
  )
    .option('--device', 'sign in with a device code (on another device)')
    .option('--use-device-code', 'the same as --device (as az login names it)')
    .option('--login-hint <username>', 'the account to sign in as (fills in the username)')
    .option('--username <username>', 'the same as --login-hint')
    .addOption(
      new Option(
        '--prompt <prompt>',
        'ask the provider to show sign-in, the account picker or consent',
      ).choices(['select_account', 'login', 'consent']),
    )
    .addOption(
      new Option(
        '--browser',
        'use the browser even when none seems available (e.g. through ssh -L)',
      ).conflicts(['device', 'useDeviceCode']),
    )
    .addOption(
      new Option('--timeout <seconds>', 'give up waiting after this long (10 to 3600 seconds)')
        .argParser(integer('--timeout', 10, 3600))
        .default(300),
    )
    .option('--json', 'print the signed-in account as JSON')
    .action(async (opts) => {
      const { runLogin } = await import('./commands/login/run-login.js');
      await runLogin(opts);
    });

  withSettings(
    program
      .command('token')
      .description(
        'print a valid access token (cached or refreshed silently); exit 4 when sign-in is required',
      ),
    { user: true },
  )
    .addOption(
      new Option(
        '--resource <uri>',
        'an Entra resource, e.g. https://outlook.office.com (asks for its .default scope)',
      ).argParser(resourceUri),
    )
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(['raw', 'json', 'header', 'env', 'xoauth2', 'oauthbearer'])
        .default('raw'),
    )
    .option(
      '--account <name>',
      'which signed-in account (username, its start, or account id) instead of the default',
    )
    .option('--force-refresh', 'refresh even if the cached token is fresh')
    .action(async (opts) => {
      const { runToken } = await import('./commands/token/run-token.js');
      await runToken(opts);
    });

  withSettings(
    program
      .command('whoami')
      .description('who is signed in: Microsoft Graph /me on Entra, userinfo elsewhere'),
    { scopes: false },
  )
    .option(
      '--account <name>',
      'which signed-in account (username, its start, or account id) instead of the default',
    )
    .option('--json', 'print the profile as JSON')
    .action(async (opts) => {
      const { runWhoami } = await import('./commands/accounts/run-whoami.js');
      await runWhoami(opts);
    });

  withSettings(program.command('accounts').description('list the accounts signed in for this client'), {
    scopes: false,
  })
    .option('--json', 'print JSON')
    .action(async (opts) => {
      const { runAccounts } = await import('./commands/accounts/run-accounts.js');
      await runAccounts(opts);
    });

  const account = program
    .command('account')
    .description('the default account of a profile, when several are signed in');
  withSettings(
    account
      .command('use')
      .argument('<name>', 'username (or its start) or account id')
      .description('make a signed-in account the default of the profile in use (or --profile)'),
    { scopes: false },
  ).action(async (name: string, opts) => {
    const { runAccountUse } = await import('./commands/accounts/run-account-use.js');
    await runAccountUse(name, opts);
  });

  withSettings(
    program
      .command('status')
      .description("each profile's accounts, tenant, scopes and token expiry (from the cache, offline)"),
    { scopes: false },
  )
    .option('--json', 'print JSON')
    .action(async (opts) => {
      const { runStatus } = await import('./commands/status/run-status.js');
      await runStatus(opts);
    });

  withSettings(
    program
      .command('logout')
      .argument('[account]', 'username or account id')
      .description('forget an account here and end its browser session at the provider'),
    { scopes: false },
  )
    .option('--all', 'sign out every account of this client')
    .option('--no-browser', "print the provider's sign-out URL instead of opening it")
    .option('--json', 'print JSON')
    .action(async (account: string | undefined, opts) => {
      const { runLogout } = await import('./commands/accounts/run-logout.js');
      await runLogout(account, opts);
    });

  program
    .command('decode')
    .argument('[token]', 'a JWT, or "-" to read it from standard input')
    .description(
      "show a JWT's header and claims with readable times and warnings (offline: the token goes nowhere)",
    )
    .option('--json', 'print JSON')
    .action(async (token: string | undefined, opts) => {
      const { runDecode } = await import('./commands/decode/run-decode.js');
      runDecode(token, opts);
    });

  const profile = program
    .command('profile')
    .description('named configurations (authority, client id, scopes)');
  profile
    .command('add')
    .argument('<name>')
    .description('add or update a profile (it becomes the one in use if it is the first, or with --use)')
    .option('--authority <url>', 'the Entra authority https://HOST/TENANT')
    .option('--issuer <url>', "any OpenID provider's issuer")
    .option('--client-id <id>', 'application (client) id')
    .option('-s, --scope <scope>', 'default scopes (repeatable)', addScopes)
    .addOption(
      new Option('--port <n>', 'fixed loopback port for browser sign-in').argParser(
        integer('--port', 0, 65_535),
      ),
    )
    .option('--user <address>', 'default mail user')
    .option('--ca-file <file>', 'a certificate authority to trust for this provider (PEM)')
    .option(
      '--emulator [url]',
      'the local emulator (default http://127.0.0.1:8400) with its sample native app',
    )
    .option('--use', 'use this profile from now on')
    .action(async (name: string, opts) => {
      const { profileAdd } = await import('./commands/profile/run-profile.js');
      await profileAdd(name, opts);
    });
  profile
    .command('list')
    .description('list profiles (* = in use)')
    .option('--json', 'print JSON')
    .action(async (opts) => {
      const { profileList } = await import('./commands/profile/run-profile.js');
      await profileList(opts);
    });
  profile
    .command('remove')
    .argument('<name>')
    .description('remove a profile')
    .action(async (name: string) => {
      const { profileRemove } = await import('./commands/profile/run-profile.js');
      await profileRemove(name);
    });
  profile
    .command('use')
    .argument('<name>')
    .description('use this profile from now on')
    .action(async (name: string) => {
      const { profileUse } = await import('./commands/profile/run-profile.js');
      await profileUse(name);
    });

  const mail = program.command('mail').description('mail over OAuth 2.0 (XOAUTH2 / OAUTHBEARER)');
  withSettings(
    mail
      .command('test')
      .argument('<url>', 'imap|imaps|pop3|pop3s|smtp|submission[s]://HOST[:PORT]')
      .description('log in to a mail server with a fresh token and report what happened'),
    { user: true },
  )
    .addOption(
      new Option('--mechanism <name>', 'SASL mechanism')
        .choices(['xoauth2', 'oauthbearer'])
        .default('xoauth2'),
    )
    .option('--insecure', 'accept a self-signed server certificate')
    .option('--token-stdin', 'test the access token on standard input instead of one from the cache')
    .option('--json', 'print the result as JSON')
    .action(async (url: string, opts) => {
      const { runMailTest } = await import('./commands/mail/run-mail-test.js');
      await runMailTest(url, opts);
    });

  withSettings(
    mail
      .command('proxy')
      .description(
        'local IMAP / POP3 / SMTP ports for password-only mail programs; XOAUTH2 with fresh tokens upstream',
      ),
  )
    .option('--imap <spec>', 'an IMAP port: [ADDRESS:]PORT=imaps://HOST[:PORT] (repeatable)', collectOne)
    .option('--pop3 <spec>', 'a POP3 port: [ADDRESS:]PORT=pop3s://HOST[:PORT] (repeatable)', collectOne)
    .option('--smtp <spec>', 'an SMTP port: [ADDRESS:]PORT=submission://HOST[:PORT] (repeatable)', collectOne)
    .option('-q, --quiet', 'no log lines for logins and sessions')
    .addHelpText(
      'after',
      '\nWithout --imap/--pop3/--smtp on Microsoft Entra: 1143 → outlook.office365.com:993, 1110 → :995,\n1587 → smtp.office365.com:587. Set a local password first: tokenloop mail password USER',
    )
    .action(async (opts) => {
      const { runMailProxy } = await import('./commands/mail/proxy/run-mail-proxy.js');
      await runMailProxy(opts);
    });

  mail
    .command('password')
    .argument('<user>', 'the mailbox address the mail program logs in with')
    .description('set the local password a mail program gives `mail proxy` (random and printed, or --stdin)')
    .option('--stdin', 'read the password from standard input instead of making one')
    .option('--remove', "remove the user's local password")
    .action(async (user: string, opts) => {
      const { runMailPassword } = await import('./commands/mail/proxy/run-mail-password.js');
      await runMailPassword(user, opts);
    });

  withSettings(
    program
      .command('doctor')
      .description('check configuration, provider, app registration, cache and keyring, clock'),
    { scopes: false },
  )
    .option('--json', 'print JSON')
    .action(async (opts) => {
      const { runDoctor } = await import('./commands/doctor/run-doctor.js');
      await runDoctor(opts);
    });

  const agent = program
    .command('agent')
    .description('a resident token agent: `tokenloop token` answers a cached token faster (docs/cli.md)');
  agent
    .command('run', { isDefault: true })
    .description('run the agent in the foreground until SIGTERM, Ctrl-C or `tokenloop agent stop`')
    .action(async () => {
      const { runAgentForeground } = await import('./commands/agent/run-agent.js');
      await runAgentForeground();
    });
  agent
    .command('start')
    .description('start the agent in the background (returns once it listens)')
    .action(async () => {
      const { runAgentStart } = await import('./commands/agent/run-agent.js');
      await runAgentStart();
    });
  agent
    .command('stop')
    .description('stop the running agent')
    .action(async () => {
      const { runAgentStop } = await import('./commands/agent/run-agent.js');
      await runAgentStop();
    });
  agent
    .command('status')
    .description('whether the agent runs, and where (exit 1 when it does not)')
    .option('--json', 'print JSON')
    .action(async (opts) => {
      const { runAgentStatus } = await import('./commands/agent/run-agent.js');
      await runAgentStatus(opts);
    });

  program
    .command('completion')
    .argument('<shell>', 'bash, zsh or fish')
    .description('print a shell completion script')
    .action(async (shell: string) => {
      const { runCompletion } = await import('./commands/completion/run-completion.js');
      await runCompletion(shell);
    });

  program
    .command('emulator')
    .description('run a local, Entra-compatible identity platform (authorize, token, device code, Graph /me)')
    .addOption(
      new Option('--port <n>', 'port to listen on (0 = any free port)')
        .argParser(integer('--port', 0, 65_535))
        .default(8400),
    )
    .option(
      '--host <address>',
      'address to listen on: a loopback one, or with --allow-remote any (0.0.0.0 for containers)',
      '127.0.0.1',
    )
    .option(
      '--allow-remote',
      'allow a non-loopback --host: anyone who reaches it can sign in as the test users (warns on every start)',
    )
    .option(
      '--public-url <url>',
      'the URL clients reach the emulator at, used in issuers, discovery and pages (e.g. http://emulator:8400)',
    )
    .option('--https', 'serve https with a local CA kept in the data directory')
    .option('--config <file>', 'directory config (JSON): tenants, apps, users; default: built-in sample')
    .option(
      '--data-dir <dir>',
      'where signing keys and the local CA are kept (default: $TOKENLOOP_HOME/emulator, else $XDG_DATA_HOME/tokenloop/emulator, else ~/.local/share/tokenloop/emulator)',
    )
    .option('--auto-login <username>', 'complete every sign-in and device code as this user, without pages')
    .addOption(
      new Option('--access-token-lifetime <seconds>', 'access token lifetime').argParser(
        integer('--access-token-lifetime', 1, 86_400),
      ),
    )
    .option('--json', 'print one JSON line with the URL, tenants, apps and users when ready')
    .action(async (opts) => {
      const { runEmulator } = await import('./commands/emulator.js');
      await runEmulator(opts);
    });

  return program;
}

/** Runs the CLI; returns the exit code. Never throws. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.configureOutput({
    writeErr: (s) => process.stderr.write(s),
    writeOut: (s) => process.stdout.write(s),
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? (process.exitCode as ExitCode) : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    return await reportError(err);
  }
}
