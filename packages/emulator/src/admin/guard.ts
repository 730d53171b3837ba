import type { EmulatorContext } from '../context.js';
import { isOwnOrigin } from '../http/origin.js';
import type { Exchange } from '../http/route.js';
import { isLoopbackAddress, isLoopbackHost } from '../http/loopback.js';

/** Why an admin request is refused: 403 for who or where it comes from, 415 for a body that is not JSON. */
export interface AdminRefusal {
  status: 403 | 415;
  error: 'forbidden' | 'unsupported_media_type';
  description: string;
}

const READ_METHODS = new Set(['GET', 'HEAD']);

/** The caller's socket address is a loopback address (127.0.0.0/8, ::1, also IPv4-mapped). */
export function isLoopbackPeer(x: Exchange): boolean {
  return isLoopbackAddress(x.req.socket.remoteAddress);
}

function hostnameOf(authority: string): string | undefined {
  try {
    return new URL(`http://${authority}`).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return undefined;
  }
}

/** The Host header names a loopback address or localhost: any other name is a DNS-rebinding attempt. */
export function isOwnHost(host: string | undefined): boolean {
  const name = host ? hostnameOf(host) : undefined;
  return name !== undefined && isLoopbackHost(name);
}

function isJson(x: Exchange): boolean {
  const type = x.req.headers['content-type'] ?? '';
  return type.split(';')[0]!.trim().toLowerCase() === 'application/json';
}

/**
 * The admin surface answers only the local machine, and only requests a web page elsewhere cannot forge:
 * loopback peer, Host naming a loopback address (DNS rebinding), Origin (when sent) the emulator's own
 * (cross-site requests), and for changes a JSON body (an HTML form cannot send one; a script on another
 * origin would need a CORS preflight, which the emulator does not grant for `/_emulator`).
 */
export function refuseAdminRequest(ctx: EmulatorContext, x: Exchange): AdminRefusal | undefined {
  const forbidden = (description: string): AdminRefusal => ({ status: 403, error: 'forbidden', description });
  // S151: also in remote mode (--allow-remote): the admin API changes and reveals the directory.
  if (!isLoopbackPeer(x)) return forbidden('The admin API answers loopback callers only.');
  if (!isOwnHost(x.req.headers.host)) {
    return forbidden(
      'The admin API answers requests for a loopback host only (127.0.0.1, localhost or ::1 in the Host header).',
    );
  }
  const origin = x.req.headers.origin;
  if (origin !== undefined && !isOwnOrigin(ctx, origin)) {
    return forbidden('The admin API refuses requests from other origins.');
  }
  if (!READ_METHODS.has(x.method) && !isJson(x)) {
    return {
      status: 415,
      error: 'unsupported_media_type',
      description: 'Admin API requests that change state must be sent with Content-Type: application/json.',
    };
  }
  return undefined;
}
