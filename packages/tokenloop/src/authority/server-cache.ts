import type { ResolvedAuthority } from './authority.js';
import { type DiscoveryOptions, type Server, discover } from './discovery.js';

/**
 * Discovery results cached per authority (default 24 h, as Entra's `Cache-Control` suggests), fetched once
 * even under concurrent callers, and re-fetched early by `invalidate` (e.g. after a key-rotation miss).
 * A failed fetch is not cached.
 */
export interface ServerCache {
  get(authority: ResolvedAuthority, signal?: AbortSignal): Promise<Server>;
  invalidate(authority: ResolvedAuthority): void;
}

export function createServerCache(
  options: Omit<DiscoveryOptions, 'signal'> & { ttlMs?: number },
): ServerCache {
  const ttl = options.ttlMs ?? 24 * 3600_000;
  const entries = new Map<string, { at: number; server: Promise<Server> }>();
  return {
    get(authority, signal) {
      const key = authority.kind === 'oauth2' ? `oauth2:${authority.url}` : authority.metadataUrl;
      const hit = entries.get(key);
      if (hit && Date.now() - hit.at < ttl) return hit.server;
      const server = discover(authority, { ...options, signal });
      entries.set(key, { at: Date.now(), server });
      server.catch(() => {
        if (entries.get(key)?.server === server) entries.delete(key);
      });
      return server;
    },
    invalidate(authority) {
      entries.delete(authority.kind === 'oauth2' ? `oauth2:${authority.url}` : authority.metadataUrl);
    },
  };
}
