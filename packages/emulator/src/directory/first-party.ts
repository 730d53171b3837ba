import type { AppInput } from './schema.js';

/**
 * The Azure CLI's app (Microsoft's "Microsoft Azure CLI", a public client): @azure/identity's client id when an
 * app names none (its `DeveloperSignOnClientId`, for DeviceCodeCredential and InteractiveBrowserCredential).
 */
export const AZURE_CLI_CLIENT_ID = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';

/**
 * S111: Microsoft's first-party apps that Microsoft's client libraries use by default. In Entra they exist in
 * every tenant and are pre-authorized for Microsoft's APIs (no consent page); the emulator puts them into every
 * directory it builds (unless the config registers the same client id itself), homed in its first tenant,
 * multi-tenant, with admin consent for the permissions below.
 */
export function firstPartyApps(): AppInput[] {
  return [
    {
      clientId: AZURE_CLI_CLIENT_ID,
      name: 'Microsoft Azure CLI',
      type: 'public',
      signInAudience: 'AzureADMultipleOrgs',
      redirectUris: ['http://localhost', 'https://login.microsoftonline.com/common/oauth2/nativeclient'],
      delegatedPermissions: {
        'https://management.core.windows.net/': ['user_impersonation'],
        'https://graph.microsoft.com': ['User.Read'],
      },
      adminConsented: true,
    },
  ];
}
