// The one home of "is this the loopback" for the client packages (issue 16): the library, the web package and the
// command line all ask here. Two questions with different answers, one function each:
// - isLoopbackAddress: an IP address literal that reaches this machine only (a socket's peer, a listen address);
// - isLoopbackHost: a host name or address a URL may name for plain http (RFC 8252 §8.3): the loopback
//   addresses and the name `localhost` (RFC 6761 §6.3 reserves it for the loopback).
// Pure functions without imports (no name resolution: `localhost` is taken by its reserved meaning).

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

const unbracketed = (host: string) => /^\[(.*)\]$/s.exec(host)?.[1] ?? host;

/**
 * True for an IP address literal of this machine's loopback: 127.0.0.0/8, ::1, and either written as an
 * IPv4-mapped IPv6 address (`::ffff:127.0.0.1`, `::ffff:7f00:1`, how a dual-stack socket reports an IPv4 peer),
 * in any IPv6 spelling, with or without URL brackets. Not a name (`localhost` is false: a peer address never
 * is one), not a zone-scoped address, not an octal or hex IPv4 spelling.
 */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (typeof address !== 'string') return false;
  const a = unbracketed(address);
  if (IPV4_LOOPBACK.test(a)) return true;
  const g = a.includes(':') ? ipv6Groups(a) : undefined;
  if (!g || g.slice(0, 5).some((x) => x !== 0)) return false;
  return (g[5] === 0 && g[6] === 0 && g[7] === 1) || (g[5] === 0xffff && g[6]! >> 8 === 127);
}

/**
 * True for a host that names this machine's loopback: a loopback address (isLoopbackAddress, URL brackets
 * allowed) or the name `localhost`, case-insensitive. The only hosts plain http is allowed to (RFC 8252 §8.3):
 * a URL's `hostname`, a mail server's host, a listen address given by name.
 */
export function isLoopbackHost(host: string): boolean {
  return typeof host === 'string' && (host.toLowerCase() === 'localhost' || isLoopbackAddress(host));
}
