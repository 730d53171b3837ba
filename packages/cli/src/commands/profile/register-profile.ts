import { type Command, Option } from 'commander';
import { integer } from '../../config/option-parsers.js';
import { addScopes } from '../../config/scope-list.js';

/** `tokenloop profile add|list|remove|use`: their options; their code is imported only when one runs. */
export function registerProfile(program: Command): void {
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
      const { profileAdd } = await import('./run-profile.js');
      await profileAdd(name, opts);
    });
  profile
    .command('list')
    .description('list profiles (* = in use)')
    .option('--json', 'print JSON')
    .action(async (opts) => {
      const { profileList } = await import('./run-profile.js');
      await profileList(opts);
    });
  profile
    .command('remove')
    .argument('<name>')
    .description('remove a profile')
    .action(async (name: string) => {
      const { profileRemove } = await import('./run-profile.js');
      await profileRemove(name);
    });
  profile
    .command('use')
    .argument('<name>')
    .description('use this profile from now on')
    .action(async (name: string) => {
      const { profileUse } = await import('./run-profile.js');
      await profileUse(name);
    });
}
