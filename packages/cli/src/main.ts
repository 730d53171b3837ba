import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { reportError } from './errors.js';
import { EXIT } from './exit-codes.js';
import { VERSION } from './version.js';

function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number.`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`${name} must be from ${min} to ${max}.`);
    return n;
  };
}

/** Builds the command tree; each command's code is imported only when that command runs. */
export function buildProgram(): Command {
  const program = new Command('tokenloop')
    .description('OAuth 2.0 / OpenID Connect sign-in and tokens, first-class for Microsoft Entra ID.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('emulator')
    .description(
      'Run a local, Entra-compatible identity platform (authorize, token, device code, Graph /me).',
    )
    .addOption(
      new Option('--port <n>', 'port to listen on (0 = any free port)')
        .argParser(integer('--port', 0, 65_535))
        .default(8400),
    )
    .option('--host <address>', 'loopback address to listen on', '127.0.0.1')
    .option('--https', 'serve https with a local CA kept in the data directory')
    .option('--config <file>', 'directory config (JSON): tenants, apps, users; default: built-in sample')
    .option(
      '--data-dir <dir>',
      'where signing keys and the local CA are kept (default: $TOKENLOOP_HOME/emulator or ~/.local/share/tokenloop/emulator)',
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
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    return reportError(err);
  }
}
