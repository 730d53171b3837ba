/** Where the emulator's own CI issuers live (S137): `{emulator}/issuers/{name}`. */
export const ISSUERS_PATH = '/issuers';
/** A CI issuer's name: lowercase letters, digits and `-`, up to 63. */
export const ISSUER_NAME_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Whether a URL path is that of one of the emulator's own CI issuers. */
export function isOwnIssuerPath(pathname: string): boolean {
  return (
    pathname.startsWith(`${ISSUERS_PATH}/`) && ISSUER_NAME_RE.test(pathname.slice(ISSUERS_PATH.length + 1))
  );
}
