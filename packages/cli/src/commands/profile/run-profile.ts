import { dirname, join, resolve } from 'node:path';
import { readPrivateFile } from 'tokenloop/private-files';
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
  /** A certificate authority to trust for this provider (PEM file). */
  caFile?: string;
}

/** The sample native app every emulator has (see `@tokenloop/emulator`'s SAMPLE_IDS.publicApp). */
const EMULATOR_PUBLIC_APP = '0f4c1d3e-6a7b-4c8d-9e0f-1a2b3c4d5e61';

function checkUrl(value: string, what: string): void {
  if (!URL.canParse(value))
    throw new CliError(`${what} must be a URL, got ${JSON.stringify(value)}`, EXIT.usage);
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
    checkUrl(base, '--emulator');
    profile = { authority: `${base}/organizations`, clientId: o.clientId ?? EMULATOR_PUBLIC_APP };
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
    if (o.authority) checkUrl(o.authority, '--authority');
    if (o.issuer) checkUrl(o.issuer, '--issuer');
    profile = { clientId: o.clientId, ...(o.authority ? { authority: o.authority } : { issuer: o.issuer! }) };
  }
  if (o.scope?.length) profile.scopes = o.scope;
  if (o.port !== undefined) profile.port = o.port;
  if (o.user) profile.user = o.user;
  const caFile = trusting?.file ?? (o.caFile === undefined ? undefined : resolve(o.caFile));
  if (caFile !== undefined) profile.caFile = caFile;
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
