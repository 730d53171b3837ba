/**
 * A post-login return target that can only lead back into this app (S10). The input is parsed with the WHATWG
 * URL parser against the app's own origin, and then the value that will be sent in `Location` — not the input —
 * is checked: a path-absolute URL on the app's origin that does not start with `//` or `/\` after dot-segment
 * normalisation and after percent-decoding (repeatedly: double encoding), with no control characters (also not encoded) and no
 * backslashes. Anything else becomes "/".
 *
 * @example
 * ```ts
 * safeReturnTo('/profile?tab=1', 'https://app.example.com'); // '/profile?tab=1'
 * safeReturnTo('/.//evil.example', 'https://app.example.com'); // '/'
 * ```
 */
export function safeReturnTo(value: string | null | undefined, origin: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return '/';
  // The parser silently drops tabs and newlines and reads "\" as "/": such input is refused, not repaired.
  if (!value.startsWith('/') || /[\u0000-\u001f\u007f\\]/.test(value)) return '/';
  let url: URL;
  try {
    url = new URL(value, origin);
  } catch {
    return '/';
  }
  if (url.origin !== origin) return '/';
  const target = `${url.pathname}${url.search}${url.hash}`;
  // S10: re-check what is finally used; it must also read back as itself.
  if (leavesApp(target, origin) || new URL(target, origin).href !== url.href) return '/';
  return target;
}

const MAX_DECODING_ROUNDS = 4;

/** True when `candidate`, or any percent-decoding of it, is not a plain path on `origin`. */
function leavesApp(candidate: string, origin: string): boolean {
  let stage = candidate;
  for (let round = 0; round <= MAX_DECODING_ROUNDS; round++) {
    // A path-absolute reference whose first segment is not empty ("//host"), nor made empty by blanks, and
    // no control characters (a later reader that decodes must not find line breaks to split a header with).
    if (!stage.startsWith('/') || /^\/\s*[/\\]|[\u0000-\u001f\u007f]/.test(stage)) return true;
    let url: URL;
    try {
      url = new URL(stage, origin);
    } catch {
      return true;
    }
    if (url.origin !== origin || url.pathname.startsWith('//')) return true;
    let next: string;
    try {
      next = decodeURIComponent(stage);
    } catch {
      return true; // malformed percent-encoding: refuse rather than guess how a later reader decodes it
    }
    if (next === stage) return false;
    stage = next;
  }
  return true; // still changing after several rounds of decoding
}
