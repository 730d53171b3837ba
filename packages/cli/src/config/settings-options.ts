import { type Command, Option } from 'commander';
import { integer } from './option-parsers.js';
import { addScopes } from './scope-list.js';

/** The options every command that talks to a provider accepts (flags > environment > profile > defaults). */
export function withSettings(
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
