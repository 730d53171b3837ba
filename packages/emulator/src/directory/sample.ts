import type { ConfigInput } from './schema.js';

/**
 * The built-in sample directory: the same ids, secrets and passwords on every start, so docs, tests and
 * scripts can rely on them. Local test credentials only: never reuse them anywhere real.
 */
export const SAMPLE_IDS = {
  contoso: '3c8f2a1e-5b7d-4e9a-9c0f-2d6b8e4a1f73',
  fabrikam: '8e1d4b6a-2f3c-4a5e-b7d9-0c1e3f5a7b92',
  alice: 'a11ce000-7d1e-4c3b-9f2a-5e6d7c8b9a01',
  bob: 'b0b00000-3e2d-4f1c-8a9b-1c2d3e4f5a02',
  carol: 'ca401000-9b8a-4c7d-8e6f-2a3b4c5d6e03',
  publicApp: '0f4c1d3e-6a7b-4c8d-9e0f-1a2b3c4d5e61',
  webApp: '1e5d2c4b-7a8f-4d9e-8f1a-2b3c4d5e6f72',
  daemonApp: '2d6e3f5a-8b9c-4eaf-9a2b-3c4d5e6f7a83',
  apiApp: '3c7f4a6b-9cad-4fb1-8b3c-4d5e6f7a8b94',
  spaApp: '4b8a5c7d-0e1f-4a2b-9c3d-5e6f7a8b9ca5',
  /** The Azure subscription the sample's managed identities live in. */
  subscription: '5a9b6d8e-1f20-4b3c-8d4e-6f7a8b9cadb6',
  /** The system-assigned identity of the resource the app runs on (the virtual machine `sample-vm`). */
  systemIdentity: '6b0c7e9f-2a31-4c4d-9e5f-7a8b9cadbec7',
  systemIdentityPrincipal: '7c1d8f0a-3b42-4d5e-8f6a-8b9cadbecfd8',
  /** User-assigned identity `sample-api-caller`: the Sample API's `Data.Read.All` role. */
  apiCallerIdentity: '8d2e9a1b-4c53-4e6f-9a7b-9cadbecfd0e9',
  apiCallerIdentityPrincipal: '9e3f0b2c-5d64-4f7a-8b8c-adbecfd0e1fa',
  /** User-assigned identity `sample-graph-reader`: Microsoft Graph's `User.Read.All` role. */
  graphReaderIdentity: 'af4a1c3d-6e75-4a8b-9c9d-becfd0e1f20b',
  graphReaderIdentityPrincipal: 'b05b2d4e-7f86-4b9c-8dae-cfd0e1f2031c',
} as const;

export const SAMPLE_SECRETS = {
  webApp: 'tl-sample-web-secret-0001',
  daemonApp: 'tl-sample-daemon-secret-0002',
  apiApp: 'tl-sample-api-secret-0003',
  /** The App Service managed identity protocol's `IDENTITY_HEADER` (sent back as `X-IDENTITY-HEADER`). */
  identityHeader: 'tl-sample-identity-header-0004',
} as const;

/** The sample directory: two tenants, their users, apps of each type, and managed identities. */
export function sampleConfig(): ConfigInput {
  const api = `api://${SAMPLE_IDS.apiApp}`;
  return {
    tenants: [
      { id: SAMPLE_IDS.contoso, domain: 'contoso.onmicrosoft.com', name: 'Contoso' },
      { id: SAMPLE_IDS.fabrikam, domain: 'fabrikam.onmicrosoft.com', name: 'Fabrikam' },
    ],
    users: sampleUsers(),
    apps: sampleApps(api),
    managedIdentities: sampleManagedIdentities(api),
  };
}

/** Alice and Bob of Contoso, Carol of Fabrikam. */
function sampleUsers(): ConfigInput['users'] {
  return [
    {
      id: SAMPLE_IDS.alice,
      username: 'alice@contoso.onmicrosoft.com',
      password: 'alice-password-1',
      displayName: 'Alice Adams',
      jobTitle: 'Engineering Manager',
    },
    {
      id: SAMPLE_IDS.bob,
      username: 'bob@contoso.onmicrosoft.com',
      password: 'bob-password-1',
      displayName: 'Bob Brown',
      jobTitle: 'Developer',
    },
    {
      id: SAMPLE_IDS.carol,
      username: 'carol@fabrikam.onmicrosoft.com',
      password: 'carol-password-1',
      displayName: 'Carol Chen',
    },
  ];
}

/** An app of each type in Contoso, all calling the Sample API (`api`) or Graph. */
function sampleApps(api: string): ConfigInput['apps'] {
  return [
    {
      clientId: SAMPLE_IDS.publicApp,
      name: 'Sample native app',
      type: 'public',
      tenant: SAMPLE_IDS.contoso,
      redirectUris: [
        'http://127.0.0.1',
        'http://localhost',
        'https://login.microsoftonline.com/common/oauth2/nativeclient',
      ],
      delegatedPermissions: {
        'https://graph.microsoft.com': ['User.Read'],
        'https://outlook.office.com': ['IMAP.AccessAsUser.All', 'POP.AccessAsUser.All', 'SMTP.Send'],
        [api]: ['access_as_user'],
      },
    },
    {
      clientId: SAMPLE_IDS.webApp,
      name: 'Sample web app',
      type: 'web',
      tenant: SAMPLE_IDS.contoso,
      secret: SAMPLE_SECRETS.webApp,
      redirectUris: ['http://127.0.0.1:3000/auth/callback', 'http://localhost:3000/auth/callback'],
      postLogoutRedirectUris: ['http://127.0.0.1:3000/', 'http://localhost:3000/'],
      delegatedPermissions: { 'https://graph.microsoft.com': ['User.Read'], [api]: ['access_as_user'] },
    },
    {
      clientId: SAMPLE_IDS.spaApp,
      name: 'Sample single-page app',
      type: 'spa',
      tenant: SAMPLE_IDS.contoso,
      // Loopback redirect URIs match on any port: a dev server anywhere on localhost or 127.0.0.1.
      spaRedirectUris: ['http://localhost:3000', 'http://127.0.0.1:3000'],
      postLogoutRedirectUris: ['http://localhost:3000', 'http://127.0.0.1:3000'],
      delegatedPermissions: { 'https://graph.microsoft.com': ['User.Read'], [api]: ['access_as_user'] },
    },
    {
      clientId: SAMPLE_IDS.daemonApp,
      name: 'Sample daemon',
      type: 'daemon',
      tenant: SAMPLE_IDS.contoso,
      secret: SAMPLE_SECRETS.daemonApp,
      signInAudience: 'AzureADMyOrg',
      applicationPermissions: {
        'https://graph.microsoft.com': ['User.Read.All'],
        [api]: ['Data.Read.All'],
      },
    },
    {
      clientId: SAMPLE_IDS.apiApp,
      name: 'Sample API',
      type: 'api',
      tenant: SAMPLE_IDS.contoso,
      secret: SAMPLE_SECRETS.apiApp,
      appIdUri: api,
      accessTokenVersion: 2,
      scopes: [{ value: 'access_as_user', description: 'Access the Sample API as you' }],
      appRoles: [{ value: 'Data.Read.All', description: 'Read all data in the Sample API' }],
      delegatedPermissions: { 'https://graph.microsoft.com': ['User.Read'] },
      adminConsented: true,
    },
  ];
}

/** The virtual machine's system-assigned identity, and two user-assigned ones: one for `api`, one for Graph. */
function sampleManagedIdentities(api: string): ConfigInput['managedIdentities'] {
  return {
    identityHeader: SAMPLE_SECRETS.identityHeader,
    systemAssigned: {
      name: 'sample-vm',
      tenant: SAMPLE_IDS.contoso,
      clientId: SAMPLE_IDS.systemIdentity,
      principalId: SAMPLE_IDS.systemIdentityPrincipal,
      subscriptionId: SAMPLE_IDS.subscription,
      resourceGroup: 'sample-rg',
    },
    userAssigned: [
      {
        name: 'sample-api-caller',
        tenant: SAMPLE_IDS.contoso,
        clientId: SAMPLE_IDS.apiCallerIdentity,
        principalId: SAMPLE_IDS.apiCallerIdentityPrincipal,
        subscriptionId: SAMPLE_IDS.subscription,
        resourceGroup: 'sample-rg',
        applicationPermissions: { [api]: ['Data.Read.All'] },
      },
      {
        name: 'sample-graph-reader',
        tenant: SAMPLE_IDS.contoso,
        clientId: SAMPLE_IDS.graphReaderIdentity,
        principalId: SAMPLE_IDS.graphReaderIdentityPrincipal,
        subscriptionId: SAMPLE_IDS.subscription,
        resourceGroup: 'sample-rg',
        applicationPermissions: { 'https://graph.microsoft.com': ['User.Read.All'] },
      },
    ],
  };
}
