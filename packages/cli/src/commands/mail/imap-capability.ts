// IMAP capabilities, read in one place (issue 16): the CAPABILITY response before and after a login (`mail test`,
// the mail proxy's upstream login) and the CAPABILITY response code of an OK. RFC 9051 §2.2.1 / §7.2.2 (and
// RFC 3501 before it): `"*" SP "CAPABILITY" 1*(SP capability)`, where the response name and every capability
// name are case-insensitive atoms.

const DATA = /^\* CAPABILITY ((?:[^ ].*)?[^ ])$/i;
const CODE = /^\[CAPABILITY ([^\]]*[^\] ])\]/i;

/** The capability text of an untagged CAPABILITY response (`* CAPABILITY …`, any case), else undefined. */
export function imapCapabilityData(line: string): string | undefined {
  return DATA.exec(line)?.[1];
}

/** The capability text of a `[CAPABILITY …]` response code at the start of a response's text, else undefined. */
export function imapCapabilityCode(text: string): string | undefined {
  return CODE.exec(text)?.[1];
}

/** The capability names in a capability text, as the server wrote them. */
export function imapCapabilityList(text: string): string[] {
  return text.split(' ').filter((c) => c !== '');
}

/** Whether `caps` holds the capability `name`, compared case-insensitively. */
export function hasImapCapability(caps: readonly string[], name: string): boolean {
  const wanted = name.toUpperCase();
  return caps.some((c) => c.toUpperCase() === wanted);
}
