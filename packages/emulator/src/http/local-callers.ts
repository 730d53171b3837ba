import { isLoopbackAddress, isLoopbackHost } from './loopback.js';
import type { Exchange } from './route.js';

/** The caller's socket address is a loopback address (127.0.0.0/8, ::1, also IPv4-mapped). */
function isLoopbackPeer(x: Exchange): boolean {
  return isLoopbackAddress(x.req.socket.remoteAddress);
}

function hostnameOf(authority: string): string | undefined {
  try {
    return new URL(`http://${authority}`).hostname;
  } catch {
    return undefined;
  }
}

/** The Host header names a loopback address or localhost: any other name is a DNS-rebinding attempt. */
function isOwnHost(host: string | undefined): boolean {
  const name = host ? hostnameOf(host) : undefined;
  return name !== undefined && isLoopbackHost(name);
}

/**
 * S151: the one "local callers only" rule, of the admin API and the managed identity endpoints, also in remote
 * mode (--allow-remote): the caller is on this machine (a loopback peer) and names a loopback host (a page on a
 * rebound DNS name names its own). Why a request is refused, in words starting with `surface` (`The admin API
 * answers`), or undefined when it may go on.
 */
export function localCallerRefusal(x: Exchange, surface: string): string | undefined {
  if (!isLoopbackPeer(x)) return `${surface} loopback callers only.`;
  if (!isOwnHost(x.req.headers.host)) {
    return `${surface} requests for a loopback host only (127.0.0.1, localhost or ::1 in the Host header).`;
  }
  return undefined;
}
