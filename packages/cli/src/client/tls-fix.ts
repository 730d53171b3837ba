import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { isLoopbackHost } from 'tokenloop';
import { TokenloopError } from 'tokenloop/errors';
import type { Settings } from '../config/resolve.js';
import { loginCommand } from './login-command.js';
import { commandArgument } from '../output/quote.js';

/** The origin is on this machine (the library's one loopback rule, S210): a local emulator may be it. */
const loopback = (origin: string): boolean => isLoopbackHost(new URL(origin).hostname);

/**
 * Issue 14, finding 6: an untrusted certificate is configuration (the library says which origin and why). The
 * fix names the commands that trust its issuer: a login with `--ca-file` (saved in the profile), or
 * NODE_EXTRA_CA_CERTS; for a local https emulator, its CA file (from its default data folder, when there)
 * and `profile add --emulator`, which stores it. Undefined for any other error.
 */
export async function tlsTrustFix(err: unknown, settings: Settings): Promise<string | undefined> {
  // The library's structured details, never its message's wording (library-errors.test.ts sweeps for that).
  if (!(err instanceof TokenloopError) || err.reason !== 'tls-untrusted' || err.origin === undefined)
    return undefined;
  const origin = err.origin;
  let file = 'FILE';
  const local = loopback(origin);
  if (local) {
    const { defaultDataDir } = await import('@tokenloop/emulator');
    const emulatorCa = join(defaultDataDir(), 'tls', 'ca.pem');
    if (
      emulatorCa !== settings.caFile &&
      (await access(emulatorCa).then(
        () => true,
        () => false,
      ))
    )
      file = emulatorCa;
  }
  const login = loginCommand(settings, { caFile: file });
  return [
    `if you trust the certificate authority that issued it, sign in trusting its PEM file (saved in the profile): \`${login}\``,
    `or trust it in every Node.js program: \`export NODE_EXTRA_CA_CERTS=${commandArgument(file)}\``,
    ...(local
      ? [
          `a local emulator keeps its CA as tls/ca.pem in its data folder, and \`tokenloop profile add NAME --emulator ${origin}\` stores it`,
        ]
      : []),
  ].join('; ');
}
