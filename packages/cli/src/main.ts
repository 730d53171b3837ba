import { Command, CommanderError } from 'commander';
import { COMMANDS, type CommandEntry, commandsFor } from './command-table.js';
import { reportError } from './errors.js';
import { type CommandEnd, EXIT, type ExitCode, exitCodesHelp } from './exit-codes.js';
import { VERSION } from './version.js';

/**
 * Builds the command tree: the program's own options and help here, each command from its folder's register-*.ts
 * (command-table.ts lists them in the order help shows them); each command's code is imported only when
 * that command runs. A command that ends with a code of its own hands it to `end`. `commands` narrows the tree to
 * the ones a command line needs (main); by default every command is registered.
 */
export async function buildProgram(
  end: CommandEnd = () => {},
  commands: readonly CommandEntry[] = COMMANDS,
): Promise<Command> {
  const program = new Command('tokenloop')
    .description('OAuth 2.0 / OpenID Connect sign-in and tokens, first-class for Microsoft Entra ID')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `\n${exitCodesHelp()}`)
    .exitOverride();
  const registers = await Promise.all(commands.map((c) => c.load()));
  for (const register of registers) register(program, end);
  return program;
}

/** Runs the CLI; returns the exit code. Never throws. */
export async function main(argv: string[]): Promise<number> {
  // The one place the exit code is decided: the code a command ended with, else by its error (reportError).
  let ended: ExitCode = EXIT.ok;
  try {
    const program = await buildProgram((code) => {
      ended = code;
    }, commandsFor(argv));
    program.configureOutput({
      writeErr: (s) => process.stderr.write(s),
      writeOut: (s) => process.stdout.write(s),
    });
    await program.parseAsync(argv, { from: 'user' });
    return ended;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    return await reportError(err);
  }
}
