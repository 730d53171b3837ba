import { Command, CommanderError } from 'commander';
import { registerAccountUse } from './commands/accounts/register-account-use.js';
import { registerAccounts } from './commands/accounts/register-accounts.js';
import { registerLogout } from './commands/accounts/register-logout.js';
import { registerWhoami } from './commands/accounts/register-whoami.js';
import { registerAgent } from './commands/agent/register-agent.js';
import { registerCompletion } from './commands/completion/register-completion.js';
import { registerDecode } from './commands/decode/register-decode.js';
import { registerDoctor } from './commands/doctor/register-doctor.js';
import { registerLogin } from './commands/login/register-login.js';
import { registerMail } from './commands/mail/register-mail.js';
import { registerProfile } from './commands/profile/register-profile.js';
import { registerEmulator } from './commands/register-emulator.js';
import { registerStatus } from './commands/status/register-status.js';
import { registerToken } from './commands/token/register-token.js';
import { reportError } from './errors.js';
import { type CommandEnd, EXIT, type ExitCode, exitCodesHelp } from './exit-codes.js';
import { VERSION } from './version.js';

/**
 * Builds the command tree: the program's own options and help here, each command from its folder's register-*.ts
 * (in the order help lists them); each command's code is imported only when that command runs. A command that
 * ends with a code of its own hands it to `end`.
 */
export function buildProgram(end: CommandEnd = () => {}): Command {
  const program = new Command('tokenloop')
    .description('OAuth 2.0 / OpenID Connect sign-in and tokens, first-class for Microsoft Entra ID')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `\n${exitCodesHelp()}`)
    .exitOverride();
  registerLogin(program);
  registerToken(program);
  registerWhoami(program);
  registerAccounts(program);
  registerAccountUse(program);
  registerStatus(program);
  registerLogout(program);
  registerDecode(program);
  registerProfile(program);
  registerMail(program, end);
  registerDoctor(program, end);
  registerAgent(program, end);
  registerCompletion(program);
  registerEmulator(program, end);
  return program;
}

/** Runs the CLI; returns the exit code. Never throws. */
export async function main(argv: string[]): Promise<number> {
  // The one place the exit code is decided: the code a command ended with, else by its error (reportError).
  let ended: ExitCode = EXIT.ok;
  const program = buildProgram((code) => {
    ended = code;
  });
  program.configureOutput({
    writeErr: (s) => process.stderr.write(s),
    writeOut: (s) => process.stdout.write(s),
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ended;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    return await reportError(err);
  }
}
