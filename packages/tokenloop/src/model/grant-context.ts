import type { ResolvedAuthority } from '../authority/authority.js';
import type { Server } from '../authority/discovery.js';
import type { ServerCache } from '../authority/server-cache.js';
import type { FetchLike } from '../http/http-client.js';
import type { KeySet } from '../validation/key-set.js';
import type { TokenClientOptions } from './client-options.js';

/** Everything a grant needs, assembled per call by the client; grants are loaded only when one runs. */
export interface GrantContext {
  options: TokenClientOptions;
  authority: ResolvedAuthority;
  server: Server;
  servers: ServerCache;
  fetch: FetchLike;
  /** The client's JWKS caches by jwks_uri. */
  keySets: Map<string, KeySet>;
}
