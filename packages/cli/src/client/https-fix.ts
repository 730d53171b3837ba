import { TokenloopError } from 'tokenloop/errors';
import type { Settings } from '../config/resolve.js';

/**
 * Issue 14, finding 7: the library's https rule names its own development switch, which the CLI has no flag
 * for. The CLI's fix names the https address of the setting that was plain http, and where plain http works.
 */
export function httpsFix(err: unknown, settings: Settings): string | undefined {
  if (!(err instanceof TokenloopError) || err.reason !== 'https-required') return undefined;
  const [flag, value] =
    settings.authority !== undefined
      ? ['--authority', settings.authority]
      : ['--issuer', settings.issuer ?? ''];
  const https = value.replace(/^http:/i, 'https:');
  return `use the provider's https address (${flag} ${https}); plain http reaches only this machine's loopback addresses, where a local emulator runs`;
}
