// How each consumer of the CLI's output gets a value: one rule per consumer, in this one module (S73, S74). Every
// output path that writes a token or a string a provider chose (usernames, names, tenant ids, error
// descriptions, userinfo claims) goes through one of these. Pure functions; errors.ts uses it.
// RFC 9110 token68 (= RFC 6750 b64token) is the only syntax that can follow `Bearer ` in a header and be written
// as a line without quoting: the library's one rule and bound (S72, S211), from its light mail entry (the client
// entry would load the whole token client at every start of the command line).
import { isBearerTokenSyntax } from 'tokenloop/mail';

/**
 * S73, HTTP header (and every format whose consumer puts the token in one: raw lines, SASL XOAUTH2 /
 * OAUTHBEARER): a header value cannot be quoted, so the token is written as is when it is token68 and
 * undefined otherwise — the caller refuses it, never echoing it.
 */
export function bearerCredential(token: string): string | undefined {
  return isBearerTokenSyntax(token) ? token : undefined;
}

/**
 * S73, POSIX shell: one single-quoted word, `'` written as `'\''`. Any string without NUL comes back exactly
 * from `eval` in sh, dash, bash, zsh and ksh (nothing inside single quotes is expanded); undefined for a string
 * with NUL, which no shell variable can hold.
 */
export function shellWord(value: string): string | undefined {
  if (value.includes('\u0000')) return undefined;
  return `'${value.replaceAll("'", "'\\''")}'`;
}

/**
 * Characters a terminal or a line-based reader acts on: C0 controls (also TAB, CR, LF), DEL, C1 controls,
 * bidirectional controls and the Unicode line and paragraph separators.
 */
const ACTIVE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const hex = (c: string, width: number) => c.charCodeAt(0).toString(16).padStart(width, '0');

/**
 * S73, JSON: one line of JSON; besides what JSON.stringify escapes, C1 and bidirectional controls and U+2028 /
 * U+2029 are written as \u escapes, so the line is safe on a terminal and in JavaScript. JSON.parse returns
 * every value exactly.
 */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(ACTIVE, (c) => `\\u${hex(c, 4)}`);
}

/**
 * S74, terminal and tab-separated text: a provider's string shown as one field of one line — `\n`, `\r`, `\t`,
 * `\xNN` for other controls, `\uNNNN` for bidirectional controls and line separators — so it cannot start a
 * line, split a field, move the cursor, set the window title or reorder what follows. A message of several lines
 * of our own (a headline, then one problem per line) is printed line by line, each line through this
 * (errors.ts reportError).
 */
export function terminalText(value: unknown): string {
  return String(value).replace(
    ACTIVE,
    (c) => NAMED[c] ?? (c <= '\u00ff' ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`),
  );
}

/**
 * A value as one word of a command a person may paste into a shell (the commands `fix:` lines name): as it is
 * when it holds only characters no shell treats specially, else a single-quoted shell word.
 */
export function commandArgument(value: string): string {
  return /^[\w.@%+:/=,-]+$/.test(value) ? value : (shellWord(value) ?? "''");
}
