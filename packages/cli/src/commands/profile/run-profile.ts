import { cliPaths } from '../../config/paths.js';
import { type Profile, checkProfileName, readProfiles, writeProfiles } from '../../config/profiles.js';
import { CliError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { jsonLine } from '../../output/quote.js';
import { say } from '../../output/terminal.js';

export interface ProfileAddOptions {
  authority?: string;
  issuer?: string;
  clientId?: string;
  scope?: string[];
  port?: number;
  user?: string;
  /** Point at the local emulator (its URL, default http://127.0.0.1:8400) with its sample native app. */
  emulator?: string | boolean;
  use?: boolean;
}

/** The sample native app every emulator has (see `@tokenloop/emulator`'s SAMPLE_IDS.publicApp). */
const EMULATOR_PUBLIC_APP = '0f4c1d3e-6a7b-4c8d-9e0f-1a2b3c4d5e61';

function checkUrl(value: string, what: string): void {
  if (!URL.canParse(value))
    throw new CliError(`${what} must be a URL, got ${JSON.stringify(value)}`, EXIT.usage);
}

export async function profileAdd(name: string, o: ProfileAddOptions): Promise<void> {
  checkProfileName(name);
  const paths = cliPaths();
  const file = await readProfiles(paths.config);
  let profile: Profile;
  if (o.emulator !== undefined && o.emulator !== false) {
    const base = typeof o.emulator === 'string' ? o.emulator.replace(/\/+$/, '') : 'http://127.0.0.1:8400';
    checkUrl(base, '--emulator');
    profile = { authority: `${base}/organizations`, clientId: o.clientId ?? EMULATOR_PUBLIC_APP };
  } else {
    if (!o.clientId)
      throw new CliError(
        '--client-id is required',
        EXIT.usage,
        'the application (client) id of your app registration',
      );
    if (!o.authority === !o.issuer)
      throw new CliError(
        'give exactly one of --authority (Entra) or --issuer (any OpenID provider)',
        EXIT.usage,
      );
    if (o.authority) checkUrl(o.authority, '--authority');
    if (o.issuer) checkUrl(o.issuer, '--issuer');
    profile = { clientId: o.clientId, ...(o.authority ? { authority: o.authority } : { issuer: o.issuer! }) };
  }
  if (o.scope?.length) profile.scopes = o.scope;
  if (o.port !== undefined) profile.port = o.port;
  if (o.user) profile.user = o.user;
  const existed = name in file.profiles;
  file.profiles[name] = profile;
  if (o.use || file.current === undefined) file.current = name;
  await writeProfiles(paths.config, file);
  say(`${existed ? 'Updated' : 'Added'} profile ${name}${file.current === name ? ' (in use)' : ''}.`);
}

export async function profileList(o: { json?: boolean }): Promise<void> {
  const file = await readProfiles(cliPaths().config);
  if (o.json) {
    process.stdout.write(`${jsonLine({ current: file.current ?? null, profiles: file.profiles })}\n`);
    return;
  }
  const names = Object.keys(file.profiles).sort();
  if (names.length === 0)
    say('No profiles yet. Add one with `tokenloop profile add NAME --authority URL --client-id ID`.');
  for (const n of names) {
    const p = file.profiles[n]!;
    process.stdout.write(
      `${n === file.current ? '*' : ' '} ${n}\t${p.authority ?? p.issuer ?? ''}\t${p.clientId}\n`,
    );
  }
}

export async function profileRemove(name: string): Promise<void> {
  const paths = cliPaths();
  const file = await readProfiles(paths.config);
  if (!(name in file.profiles)) throw new CliError(`no profile named "${name}"`, EXIT.usage);
  delete file.profiles[name];
  if (file.current === name) file.current = undefined;
  await writeProfiles(paths.config, file);
  say(
    `Removed profile ${name}. Its accounts stay in the token cache until you run \`tokenloop logout\` with it.`,
  );
}

export async function profileUse(name: string): Promise<void> {
  const paths = cliPaths();
  const file = await readProfiles(paths.config);
  if (!(name in file.profiles)) {
    throw new CliError(
      `no profile named "${name}"`,
      EXIT.usage,
      Object.keys(file.profiles).length
        ? `known profiles: ${Object.keys(file.profiles).join(', ')}`
        : undefined,
    );
  }
  file.current = name;
  await writeProfiles(paths.config, file);
  say(`Now using profile ${name}.`);
}
