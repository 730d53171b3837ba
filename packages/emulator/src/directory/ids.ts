import { createHash } from 'node:crypto';

/** A GUID derived from a seed, so a config without ids gets the same ids on every start. */
export function stableGuid(seed: string): string {
  const h = createHash('sha256').update(`tokenloop-emulator:${seed}`).digest('hex');
  const variant = ((Number.parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
