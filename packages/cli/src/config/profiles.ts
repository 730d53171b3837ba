// The profiles file's location, schema and reader are the library's (tokenloop/cli-state, S106): tokenloop/azure's
// CLI credential reads the same file by the same rules. Writing it is the command line's alone.
import { type ProfilesFile, cliConfigFile } from 'tokenloop/cli-state';
import { writePrivateFile } from 'tokenloop/private-files';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';

export { type Profile, type ProfilesFile, readProfiles } from 'tokenloop/cli-state';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function checkProfileName(name: string): void {
  if (!NAME.test(name))
    throw new CliError(
      `invalid profile name ${JSON.stringify(name)}`,
      EXIT.usage,
      'use letters, digits, ".", "_" and "-" (at most 64)',
    );
}

/** Write `config.json` with the one private-file writer (S84: atomic, 0600, never through a link; folder 0700). */
export async function writeProfiles(configDir: string, data: ProfilesFile): Promise<void> {
  await writePrivateFile(cliConfigFile(configDir), `${JSON.stringify(data, null, 2)}\n`);
}
