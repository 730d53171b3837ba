/** App registrations several test files add to a running emulator, written once. */
import type { RunningEmulator } from '../../src/index.ts';

const GRAPH = 'https://graph.microsoft.com';

/**
 * A public client whose delegated permissions (Graph's User.Read unless named) an admin consented to: users sign
 * in to it with no consent step (the password grant, device codes, auto-login). Returns its client id.
 */
export function addConsentedPublicApp(
  e: RunningEmulator,
  o: { name: string; tenant: string; delegatedPermissions?: Record<string, string[]> },
): string {
  return e.addApp({
    name: o.name,
    type: 'public',
    tenant: o.tenant,
    redirectUris: ['http://localhost'],
    delegatedPermissions: o.delegatedPermissions ?? { [GRAPH]: ['User.Read'] },
    adminConsented: true,
  }).clientId;
}
