import { cliPaths } from '../../../config/paths.js';
import { CliError } from '../../../errors.js';
import { EXIT } from '../../../exit-codes.js';
import { terminalText } from '../../../output/quote.js';
import { say } from '../../../output/terminal.js';
import { newPassword, removeLocalPassword, setLocalPassword } from './local-passwords.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/**
 * `tokenloop mail password USER`: sets the local password a mail program gives the mail proxy for USER. By
 * default a random one is made and printed once (stdout); `--stdin` takes yours; `--remove` deletes it.
 */
export async function runMailPassword(
  user: string,
  opts: { stdin?: boolean; remove?: boolean },
): Promise<void> {
  if (!/^[^\s@]+@[^\s@]+$/.test(user) && !/^[^\s]+$/.test(user))
    throw new CliError(`not a user name: ${JSON.stringify(user)}`, EXIT.usage);
  const { config } = cliPaths();
  if (opts.remove) {
    say(
      (await removeLocalPassword(config, user))
        ? `removed the local password of ${terminalText(user)}`
        : `${terminalText(user)} had none`,
    );
    return;
  }
  const password = opts.stdin ? await readStdin() : newPassword();
  await setLocalPassword(config, user, password);
  if (!opts.stdin) process.stdout.write(`${password}\n`);
  say(
    `local mail proxy password for ${terminalText(user)} set; give it to your mail program with ${terminalText(user)} as the user name`,
  );
}
