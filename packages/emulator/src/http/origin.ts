import type { EmulatorContext } from '../context.js';
import { isLoopbackHost } from './loopback.js';

/** The emulator's own origin, or the same scheme and port under another loopback name (localhost, ::1). */
export function isOwnOrigin(ctx: EmulatorContext, origin: string): boolean {
  const own = new URL(ctx.url);
  if (origin === own.origin) return true;
  let given: URL;
  try {
    given = new URL(origin);
  } catch {
    return false; // `null` (sandboxed frames, file:, data:) and garbage
  }
  return (
    given.origin === origin &&
    given.protocol === own.protocol &&
    given.port === own.port &&
    isLoopbackHost(given.hostname)
  );
}
