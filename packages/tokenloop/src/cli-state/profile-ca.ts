import { TokenloopError } from '../errors/errors.js';
import {
  type PrivateFileContent,
  readPrivateFile,
  readPrivateFileSync,
} from '../private-files/read-private-file.js';

/**
 * The certificate authority a profile trusts (its `caFile`, issue 14 finding 6), as PEM for `http.ca`. Read as
 * a private file (S80: a CA someone else could replace would let them read every token); it must hold a PEM
 * certificate. Otherwise `CONFIGURATION` with the fix.
 */
export async function readProfileCa(caFile: string): Promise<string> {
  return pemOf(caFile, await readPrivateFile(caFile));
}

/** `readProfileCa` with a synchronous read (S125: the same reader and rule), for the CLI's `token` fast path. */
export function readProfileCaSync(caFile: string): string {
  return pemOf(caFile, readPrivateFileSync(caFile));
}

function pemOf(caFile: string, read: PrivateFileContent | undefined): string {
  const pem = read?.data.toString('utf8');
  if (!pem?.includes('-----BEGIN CERTIFICATE-----'))
    throw new TokenloopError(
      'CONFIGURATION',
      read ? `${caFile} holds no PEM certificate` : `the CA file ${caFile} does not exist`,
      {
        remediation:
          "give the certificate authority's PEM file with --ca-file (a profile keeps it: `tokenloop profile add NAME --ca-file FILE`)",
      },
    );
  return pem;
}
