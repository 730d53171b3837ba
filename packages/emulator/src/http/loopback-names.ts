import { isLoopbackHost } from './loopback.js';

/**
 * The names and addresses the local CA may vouch for (S89): `localhost` and every name below it, and the
 * loopback ranges. The emulator listens on loopback only, so its certificates never need anything else.
 */
export const LOOPBACK_DNS_NAMES = ['localhost'] as const;
export const LOOPBACK_IP_RANGES = ['127.0.0.0/8', '::1/128'] as const;

/** DER of the name constraints extension's OID (2.5.29.30) followed by `critical: TRUE`. */
const CRITICAL_NAME_CONSTRAINTS = Buffer.from('0603551d1e0101ff', 'hex');

/**
 * Whether a certificate (DER) carries a critical name constraints extension: tells the constrained CA of this
 * version from the unconstrained one earlier versions made, without loading the X.509 library at start.
 */
export function hasCriticalNameConstraints(der: Buffer): boolean {
  return der.includes(CRITICAL_NAME_CONSTRAINTS);
}

/**
 * S153: whether the local CA may vouch for `host` (a name or an address without brackets): `localhost` and the
 * names below it, and the loopback addresses of LOOPBACK_IP_RANGES, which hold no IPv4-mapped IPv6 address
 * (a loopback one always has its `ffff` group written out).
 */
export function isWithinLocalCa(host: string): boolean {
  const name = host.toLowerCase();
  if (name.endsWith('.localhost')) return true;
  return isLoopbackHost(name) && !(name.includes(':') && name.includes('ffff'));
}
