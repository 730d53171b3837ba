/** The emulator's directory: tenants, app registrations and users, as Entra models them. */

/**
 * The emulator's shorthand for what an app registration is: `public` (mobile and desktop), `web` (a confidential
 * web app), `spa` (a single-page app: no credentials, redirect URIs of the spa platform only), `daemon`, `api`.
 */
export type AppType = 'public' | 'web' | 'spa' | 'daemon' | 'api';
export type SignInAudience = 'AzureADMyOrg' | 'AzureADMultipleOrgs';

/** Switches that make the emulator produce the failures clients must survive. */
export interface Scenarios {
  /** Token requests need consent again (AADSTS65001, suberror consent_required). */
  consentRequired?: boolean;
  /** MFA required at the token endpoint and at silent authorize (AADSTS50076, interaction_required). */
  mfaRequired?: boolean;
  /** User: sign-in refused (AADSTS50057). App: every request refused (AADSTS7000112). */
  disabled?: boolean;
  /** Refresh tokens and codes refused as revoked (AADSTS50173). */
  grantRevoked?: boolean;
  /** Refresh tokens refused as expired by inactivity (AADSTS700082). */
  refreshTokenExpired?: boolean;
  /** Token endpoint answers 429 with this Retry-After (seconds). */
  throttleSeconds?: number;
  /** Token endpoint answers with this 5xx status (500 or 503). */
  serverError?: number;
}

export interface Tenant {
  id: string;
  domain: string;
  name: string;
}

export interface Credential {
  /** Secret value (client_secret). */
  secret?: string;
  /** PEM certificate whose private key signs client assertions. */
  certificatePem?: string;
  /** Seconds since epoch after which the credential is refused (AADSTS7000222 for secrets). */
  expiresAt?: number;
}

/**
 * A federated identity credential (workload identity federation, S136): a token of an external OIDC issuer
 * whose `iss`, `sub` and `aud` are exactly these, signed by a key of the issuer's JWKS, is the app's credential.
 */
export interface FederatedCredential {
  name: string;
  /** The external issuer's `iss`; its OIDC discovery document is at `{issuer}/.well-known/openid-configuration`. */
  issuer: string;
  subject: string;
  /** Entra holds one value; `api://AzureADTokenExchange` unless the config says otherwise. */
  audiences: string[];
}

/** The audience Entra gives a federated identity credential unless told otherwise. */
export const DEFAULT_FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';

export interface App {
  clientId: string;
  name: string;
  type: AppType;
  tenantId: string;
  signInAudience: SignInAudience;
  /** Every registered redirect URI, of all platforms (web, mobile and desktop, spa). */
  redirectUris: string[];
  /**
   * The redirect URIs of the `spa` platform (also in `redirectUris`): a code issued to one of them may only be
   * redeemed cross-origin, by a browser page, and its refresh tokens live a fixed 24 hours.
   */
  spaRedirectUris: string[];
  postLogoutRedirectUris: string[];
  credentials: Credential[];
  /** Federated identity credentials (S136): external tokens accepted as client assertions. */
  federatedCredentials: FederatedCredential[];
  /** Device code and other public-client flows allowed ("Allow public client flows"). */
  allowPublicClientFlows: boolean;
  /** Implicit/hybrid: ID tokens from the authorize endpoint allowed. */
  idTokenIssuance: boolean;
  /** Configured delegated API permissions: resource identifier → scope values. */
  delegatedPermissions: Record<string, string[]>;
  /** Admin-granted application permissions: resource identifier → app role values. */
  applicationPermissions: Record<string, string[]>;
  /** Tenant-wide admin consent for the delegated permissions: users see no consent page. */
  adminConsented: boolean;
  /** API apps: App ID URI (`api://…`). */
  appIdUri?: string;
  /** API apps: delegated scopes they expose. */
  exposedScopes: { value: string; description: string }[];
  /** API apps: app roles they define. */
  appRoles: { value: string; description: string }[];
  /** API apps: 1 or 2 (`requestedAccessTokenVersion`); Entra's default for new apps is 1… we default to 2. */
  accessTokenVersion: 1 | 2;
  scenarios: Scenarios;
}

/** Apps that hold no credentials: they never authenticate at the token endpoint. */
export function isPublicClient(app: Pick<App, 'type'>): boolean {
  return app.type === 'public' || app.type === 'spa';
}

export interface User {
  id: string;
  tenantId: string;
  username: string;
  password: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  mail: string | null;
  jobTitle: string | null;
  scenarios: Scenarios;
}

/**
 * A managed identity of the resource the app runs on (S117): its service principal signs in with no credential
 * the app holds; the instance metadata service (IMDS) or App Service's identity endpoint hands out its tokens.
 */
export interface ManagedIdentity {
  kind: 'system-assigned' | 'user-assigned';
  /** User-assigned: the identity's name; system-assigned: the name of the resource it belongs to. */
  name: string;
  tenantId: string;
  clientId: string;
  /** Object id of its service principal: `oid` and `sub` of its tokens, `object_id` / `principal_id`. */
  principalId: string;
  /**
   * ARM resource ID: user-assigned, `/subscriptions/…/resourceGroups/…/providers/Microsoft.ManagedIdentity/
   * userAssignedIdentities/NAME`; system-assigned, the resource it belongs to (a virtual machine by default).
   */
  resourceId: string;
  /** App roles granted to it: resource identifier → role values. */
  applicationPermissions: Record<string, string[]>;
}

/** The identities of the one resource the emulator stands in for (a VM, an App Service app). */
export interface ManagedIdentities {
  systemAssigned?: ManagedIdentity;
  userAssigned: ManagedIdentity[];
  /** The App Service protocol's `IDENTITY_HEADER` value; absent: that endpoint refuses every request. */
  identityHeader?: string;
}

export interface Directory {
  tenants: Map<string, Tenant>;
  apps: Map<string, App>;
  users: Map<string, User>;
  managedIdentities: ManagedIdentities;
}

/** Well-known tenant of personal Microsoft accounts. */
export const CONSUMERS_TENANT_ID = '9188040d-6c67-4c5b-b112-36a304b66dad';

/** A GUID's text, any case, for patterns that hold one (GUID_RE, an ARM resource ID). */
export const GUID_PATTERN = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** A GUID, any case: the emulator's one GUID rule (ids in the config, tenant path segments). */
export const GUID_RE = new RegExp(`^${GUID_PATTERN}$`, 'i');
