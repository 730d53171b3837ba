import { isLoopbackHost } from './loopback.js';

/**
 * S150: the warning every start on a non-loopback address (allowed by the remote opt-in only) gives, or
 * undefined on loopback.
 */
export function remoteWarning(host: string, url: string): string | undefined {
  if (isLoopbackHost(host)) return undefined;
  return (
    `WARNING: listening on ${host} (remote mode), for clients as ${url}: anyone who can reach it can sign in as ` +
    'the test users with their published passwords and get tokens this emulator signs. Use it only on a private ' +
    'test network (a docker-compose network, a dev container), never on a shared or public one. The admin API ' +
    'and the managed identity endpoints still answer this machine only.'
  );
}
