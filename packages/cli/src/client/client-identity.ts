import type { TokenClientOptions } from 'tokenloop';
import type { Settings } from '../config/resolve.js';

/** The provider and app a client is made for: the settings' Entra authority, else their issuer, and client id. */
export function clientIdentity(
  settings: Settings,
): Pick<TokenClientOptions, 'authority' | 'issuer' | 'clientId'> {
  return {
    ...(settings.authority ? { authority: settings.authority } : { issuer: settings.issuer! }),
    clientId: settings.clientId,
  };
}
