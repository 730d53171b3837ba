import type { EmulatorContext } from '../context.js';
import { isOwnOrigin } from '../http/origin.js';
import type { Exchange } from '../http/route.js';
import { localCallerRefusal } from '../http/local-callers.js';

/** Why an admin request is refused: 403 for who or where it comes from, 415 for a body that is not JSON. */
export interface AdminRefusal {
  status: 403 | 415;
  error: 'forbidden' | 'unsupported_media_type';
  description: string;
}

const READ_METHODS = new Set(['GET', 'HEAD']);

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
  const notLocal = localCallerRefusal(x, 'The admin API answers');
  if (notLocal !== undefined) return forbidden(notLocal);
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
