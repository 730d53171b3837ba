import { dirname, join, resolve } from 'node:path';
// S165: the sample native app every emulator has, from the emulator's one list (never a copy that can drift).
import { SAMPLE_IDS } from '@tokenloop/emulator/sample-ids';
import { readPrivateFile } from 'tokenloop/private-files';
import { cliPaths } from '../../config/paths.js';
import type { SettingFlags } from '../../config/resolve.js';
import {
  type Profile,
  type ProfilesFile,
  checkProfileName,
  readProfiles,
  writeProfiles,
} from '../../config/profiles.js';
import { CliError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { commandArgument, jsonLine, terminalText } from '../../output/quote.js';
import { say } from '../../output/terminal.js';

/** `profile add`: the provider settings the other commands take as flags (SettingFlags), and its own. */
export interface ProfileAddOptions extends Pick<
  SettingFlags,
  'authority' | 'issuer' | 'clientId' | 'scope' | 'port' | 'user' | 'caFile'
> {
  /** Point at the local emulator (its URL, default http://127.0.0.1:8400) with its sample native app. */
  emulator?: string | boolean;
  use?: boolean;
}

function checkUrl(value: string, what: string, fix: string): void {
  if (!URL.canParse(value))
    throw new CliError(`${what} must be a URL, got ${JSON.stringify(value)}`, EXIT.usage, fix);
}

/**
 * Issue 14, finding 6: the certificate authority of an https emulator — the one given, else the one in the
 * emulator's default data folder — checked against the running emulator when it answers.
 */
async function emulatorCa(base: string, given: string | undefined): Promise<{ file: string; note?: string }> {
  const { defaultDataDir } = await import('@tokenloop/emulator');
  const file = given ?? join(defaultDataDir(), 'tls', 'ca.pem');
  const read = await readPrivateFile(file);
  if (!read?.data.toString('utf8').includes('-----BEGIN CERTIFICATE-----'))
    throw new CliError(
      given
        ? `${given} holds no PEM certificate`
        : `an https emulator needs its CA certificate, and there is none in ${dirname(file)}`,
      EXIT.usage,
      `give the file the emulator printed as its CA certificate (\`tokenloop emulator --https --json\` names it caCertFile): \`tokenloop profile add NAME --emulator ${base} --ca-file FILE\``,
    );
  const { createHttpFetch } = await import('tokenloop');
  const check = await createHttpFetch({ ca: read.data.toString('utf8'), timeoutMs: 5000 })(
    `${base}/organizations/v2.0/.well-known/openid-configuration`,
  ).then(
    () => undefined,
    (err: unknown) => err as { code?: string; message?: string },
  );
  if (check?.code === 'CONFIGURATION')
    throw new CliError(
      `the CA certificate ${file} does not vouch for ${base}: ${check.message ?? ''}`,
      EXIT.usage,
      `give the CA certificate this emulator printed at start: \`tokenloop profile add NAME --emulator ${base} --ca-file FILE\``,
    );
  return check ? { file, note: `(not checked: ${base} does not answer now)` } : { file };
}

/** `profile add NAME`: add a profile, or update the settings given of an existing one. */
export async function profileAdd(name: string, o: ProfileAddOptions): Promise<void> {
  checkProfileName(name);
  const paths = cliPaths();
  const file = await readProfiles(paths.config);
  const existing = file.profiles[name];
  const emulator = o.emulator !== undefined && o.emulator !== false;
  let profile: Profile;
  let trusting: { file: string; note?: string } | undefined;
  if (emulator) {
    const base = typeof o.emulator === 'string' ? o.emulator.replace(/\/+$/, '') : 'http://127.0.0.1:8400';
    checkUrl(
      base,
      '--emulator',
      `give the emulator's address: \`tokenloop profile add ${name} --emulator http://127.0.0.1:8400\``,
    );
    profile = { authority: `${base}/organizations`, clientId: o.clientId ?? SAMPLE_IDS.publicApp };
    if (new URL(base).protocol === 'https:')
      trusting = await emulatorCa(base, o.caFile === undefined ? undefined : resolve(o.caFile));
  } else if (existing && !o.clientId && !o.authority && !o.issuer) {
    profile = { ...existing }; // only the settings given change
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
    // Issue 14 (independent eyes), finding 7: the fix says what the URL looks like, in a command.
    const app = commandArgument(o.clientId);
    if (o.authority)
      checkUrl(
        o.authority,
        '--authority',
        `the authority is https://HOST/TENANT, e.g. https://login.microsoftonline.com/organizations: \`tokenloop profile add ${name} --authority URL --client-id ${app}\``,
      );
    if (o.issuer)
      checkUrl(
        o.issuer,
        '--issuer',
        `the issuer is the provider's URL, as its /.well-known/openid-configuration names it: \`tokenloop profile add ${name} --issuer URL --client-id ${app}\``,
      );
    profile = { clientId: o.clientId, ...(o.authority ? { authority: o.authority } : { issuer: o.issuer! }) };
  }
  if (o.scope?.length) profile.scopes = o.scope;
  if (o.port !== undefined) profile.port = o.port;
  if (o.user) profile.user = o.user;
  const caFile = trusting?.file ?? (o.caFile === undefined ? undefined : resolve(o.caFile));
  if (caFile !== undefined) profile.caFile = caFile;
  // Issue 14 (independent eyes), finding 12: the default account stays while the profile signs in where it did.
  if (
    existing?.account !== undefined &&
    existing.clientId === profile.clientId &&
    existing.authority === profile.authority &&
    existing.issuer === profile.issuer
  )
    profile.account = existing.account;
  const existed = existing !== undefined;
  file.profiles[name] = profile;
  if (o.use || file.current === undefined) file.current = name;
  await writeProfiles(paths.config, file);
  say(
    `${existed ? 'Updated' : 'Added'} profile ${name}${file.current === name ? ' (in use)' : ''}${trusting ? `, trusting the emulator's CA certificate ${trusting.file}${trusting.note ? ` ${trusting.note}` : ''}` : ''}.`,
  );
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

/** No profile by that name: the ones there are, and how to see them (issue 14 (independent eyes), finding 7). */
function unknownProfile(name: string, file: ProfilesFile): CliError {
  const known = Object.keys(file.profiles);
  return new CliError(
    `no profile named "${name}"${known.length ? ` (profiles: ${known.join(', ')})` : ''}`,
    EXIT.usage,
    known.length
      ? 'see them with `tokenloop profile list`'
      : 'add one: `tokenloop profile add NAME --authority URL --client-id ID`',
  );
}

/**
 * The other profiles of the same provider and app as profile `name` (as sameConnection compares them): they use
 * the same signed-in accounts.
 */
function sameProviderAndApp(name: string, file: ProfilesFile): string[] {
  const removed = file.profiles[name]!;
  return Object.entries(file.profiles)
    .filter(
      ([other, p]) =>
        other !== name &&
        p.clientId === removed.clientId &&
        p.authority === removed.authority &&
        p.issuer === removed.issuer,
    )
    .map(([other]) => other);
}

/**
 * Issue 14 (independent eyes), finding 9: the accounts a removed profile leaves signed in, and the command that
 * signs them out once the profile is gone (its provider and app as flags). Nothing when there are none.
 */
async function leftSignedIn(name: string, file: ProfilesFile): Promise<string | undefined> {
  const p = file.profiles[name]!;
  try {
    const { makeClient } = await import('../../client/make-client.js');
    const { resolveSettings } = await import('../../config/resolve.js');
    const client = await makeClient(resolveSettings({ profile: name }, {}, file), cliPaths());
    const count = await client
      .getAccounts()
      .then((a) => a.length)
      .finally(() => client.close());
    if (count === 0) return undefined;
    const where = [
      ...(p.issuer !== undefined ? ['--issuer', p.issuer] : ['--authority', p.authority ?? '']),
      '--client-id',
      p.clientId,
      ...(p.caFile !== undefined ? ['--ca-file', p.caFile] : []),
    ].map(commandArgument);
    const them = count === 1 ? 'it' : 'them';
    const users = sameProviderAndApp(name, file);
    const used = users.length
      ? ` (${users.length === 1 ? 'profile' : 'profiles'} ${users.map(terminalText).join(', ')} still ${users.length === 1 ? 'uses' : 'use'} ${them})`
      : '';
    return `${count === 1 ? 'Its account stays' : `Its ${count} accounts stay`} signed in here${used}; to sign ${them} out: \`tokenloop logout --all ${where.join(' ')}\``;
  } catch {
    return undefined; // a profile no client can be made for has no accounts
  }
}

export async function profileRemove(name: string): Promise<void> {
  const paths = cliPaths();
  const file = await readProfiles(paths.config);
  if (!(name in file.profiles)) throw unknownProfile(name, file);
  const left = await leftSignedIn(name, file);
  delete file.profiles[name];
  if (file.current === name) file.current = undefined;
  await writeProfiles(paths.config, file);
  say(`Removed profile ${name}.${left ? ` ${terminalText(left)}` : ''}`);
}

export async function profileUse(name: string): Promise<void> {
  const paths = cliPaths();
  const file = await readProfiles(paths.config);
  if (!(name in file.profiles)) throw unknownProfile(name, file);
  file.current = name;
  await writeProfiles(paths.config, file);
  say(`Now using profile ${name}.`);
}
