// The emulator's one "is this the loopback" (issue 16). The emulator shares no protocol logic with the client
// packages, so this is its own copy of the rule, and the only one in the emulator:
// - isLoopbackAddress: an address literal that reaches this machine only (a caller's socket address);
// - isLoopbackHost: a host that names it: a loopback address or `localhost` (a listen address, a Host header,
//   a URL the emulator fetches from or serves under), a URL's bracketed IPv6 hostname as it is;
// - unbracketed: a URL's hostname without the brackets of an IPv6 literal, where the bare address is wanted.
// Entra's own narrower rule for loopback redirect URIs (localhost and 127.0.0.1 only) is directory/redirect-uri.ts's.

/** 127.0.0.0/8 in canonical dotted decimal (no leading zeros, no octal or hex forms). */
const IPV4_LOOPBACK = /^127(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const OCTET = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const GROUP = /^[0-9a-f]{1,4}$/;

/** The eight 16-bit groups of an IPv6 literal (any spelling, an IPv4 tail allowed), undefined if it is none. */
function ipv6Groups(text: string): number[] | undefined {
  let s = text.toLowerCase();
  const dotted = /^(.*:)([^:]*\.[^:]*)$/.exec(s);
  if (dotted) {
    const octets = dotted[2]!.split('.');
    if (octets.length !== 4 || !octets.every((o) => OCTET.test(o))) return undefined;
    const [a, b, c, d] = octets.map(Number) as [number, number, number, number];
    s = `${dotted[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parts = halves.map((h) => (h === '' ? [] : h.split(':')));
  if (!parts.every((p) => p.every((g) => GROUP.test(g)))) return undefined;
  const head = parts[0]!.map((g) => parseInt(g, 16));
  if (parts.length === 1) return head.length === 8 ? head : undefined;
  const tail = parts[1]!.map((g) => parseInt(g, 16));
  const zeros = 8 - head.length - tail.length;
  return zeros >= 1 ? [...head, ...Array<number>(zeros).fill(0), ...tail] : undefined;
}

/** A host without the brackets a URL puts around an IPv6 literal (`[::1]` → `::1`); any other host as it is. */
export function unbracketed(host: string): string {
  return /^\[(.*)\]$/s.exec(host)?.[1] ?? host;
}

/**
 * True for an address literal of this machine's loopback: 127.0.0.0/8, ::1, and either as an IPv4-mapped IPv6
 * address (how a dual-stack socket reports an IPv4 caller), in any IPv6 spelling, with or without URL brackets.
 * Never a name, a zone-scoped address, or an octal or hex IPv4 spelling.
 */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (typeof address !== 'string') return false;
  const a = unbracketed(address);
  if (IPV4_LOOPBACK.test(a)) return true;
  const g = a.includes(':') ? ipv6Groups(a) : undefined;
  if (!g || g.slice(0, 5).some((x) => x !== 0)) return false;
  return (g[5] === 0 && g[6] === 0 && g[7] === 1) || (g[5] === 0xffff && g[6]! >> 8 === 127);
}

/** True for a loopback address (isLoopbackAddress, brackets allowed) or the name `localhost`, any case. */
export function isLoopbackHost(host: string): boolean {
  return typeof host === 'string' && (host.toLowerCase() === 'localhost' || isLoopbackAddress(host));
}
