import { z } from 'zod';
import { DIRECTORY_LIMITS } from './limits.js';
import { GUID_RE } from './model.js';

const scenarios = z
  .object({
    consentRequired: z.boolean().optional(),
    mfaRequired: z.boolean().optional(),
    disabled: z.boolean().optional(),
    grantRevoked: z.boolean().optional(),
    refreshTokenExpired: z.boolean().optional(),
    throttleSeconds: z.number().int().min(1).max(86_400).optional(),
    serverError: z.union([z.literal(500), z.literal(503)]).optional(),
  })
  .strict();

const guid = z.string().regex(GUID_RE, 'must be a GUID');
const permissionMap = z.record(z.string().min(1), z.array(z.string().min(1)));

export const tenantInput = z
  .object({
    id: guid.optional(),
    domain: z.string().min(3).max(253),
    name: z.string().min(1).max(100).optional(),
  })
  .strict();

export const userInput = z
  .object({
    id: guid.optional(),
    tenant: z.string().min(1).optional(),
    username: z
      .string()
      .min(3)
      .max(113)
      .regex(/^[^@\s]+@[^@\s]+$/, 'must look like user@domain'),
    password: z.string().min(1).max(256),
    displayName: z.string().min(1).max(256).optional(),
    givenName: z.string().max(64).optional(),
    surname: z.string().max(64).optional(),
    mail: z.string().max(256).optional(),
    jobTitle: z.string().max(128).optional(),
    scenarios: scenarios.optional(),
  })
  .strict();

/**
 * A federated identity credential as Entra's app registration holds it (S138): `name` (3–120 characters, letters,
 * digits, `-` and `_`, unique per app), `issuer`, `subject`, `audiences` (one value, `api://AzureADTokenExchange`
 * by default).
 */
export const federatedCredentialInput = z
  .object({
    name: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/,
        '3 to 120 letters, digits, - or _, starting with a letter or digit',
      ),
    issuer: z.string().min(1).max(600),
    subject: z.string().min(1).max(600),
    audiences: z.array(z.string().min(1).max(600)).length(1, 'must hold exactly one value').optional(),
    description: z.string().max(600).optional(),
  })
  .strict();

export const appInput = z
  .object({
    clientId: guid.optional(),
    name: z.string().min(1).max(120),
    type: z.enum(['public', 'web', 'spa', 'daemon', 'api']),
    tenant: z.string().min(1).optional(),
    signInAudience: z.enum(['AzureADMyOrg', 'AzureADMultipleOrgs']).optional(),
    redirectUris: z.array(z.string().min(1).max(256)).max(256).optional(),
    /** Redirect URIs of the single-page application (`spa`) platform. */
    spaRedirectUris: z.array(z.string().min(1).max(256)).max(256).optional(),
    postLogoutRedirectUris: z.array(z.string().min(1).max(256)).max(256).optional(),
    secret: z.string().min(8).max(256).optional(),
    secretExpiresAt: z.number().int().optional(),
    certificates: z
      .array(z.string().includes('BEGIN CERTIFICATE', { message: 'must be a PEM certificate' }))
      .optional(),
    /** S138: external tokens (CI, Kubernetes) the app may present as its client assertion, at most 20. */
    federatedIdentityCredentials: z
      .array(federatedCredentialInput)
      .max(DIRECTORY_LIMITS.federatedCredentialsPerApp)
      .optional(),
    allowPublicClientFlows: z.boolean().optional(),
    idTokenIssuance: z.boolean().optional(),
    delegatedPermissions: permissionMap.optional(),
    applicationPermissions: permissionMap.optional(),
    adminConsented: z.boolean().optional(),
    appIdUri: z.string().min(1).max(256).optional(),
    scopes: z.array(z.object({ value: z.string().min(1), description: z.string() }).strict()).optional(),
    appRoles: z.array(z.object({ value: z.string().min(1), description: z.string() }).strict()).optional(),
    accessTokenVersion: z.union([z.literal(1), z.literal(2)]).optional(),
    scenarios: scenarios.optional(),
  })
  .strict();

/** An ARM name segment (resource group, identity name): what Azure accepts in a resource ID. */
const armName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._()-]*$/, 'letters, digits, . _ ( ) -, starting with a letter or digit');

/**
 * A managed identity (S117–S119): the system-assigned identity of the resource the app runs on, or a
 * user-assigned one. Ids left out are derived from the name (the same on every start).
 */
export const managedIdentityInput = z
  .object({
    /** User-assigned: the identity's name; system-assigned: the name of the resource it belongs to. */
    name: armName,
    tenant: z.string().min(1).optional(),
    clientId: guid.optional(),
    /** The object id of its service principal (`oid` of its tokens; `object_id` / `principal_id`). */
    principalId: guid.optional(),
    subscriptionId: guid.optional(),
    resourceGroup: armName.optional(),
    /** The full ARM resource ID, instead of subscriptionId, resourceGroup and name. */
    resourceId: z.string().min(1).max(512).optional(),
    /** App roles granted to it: resource identifier → role values (`roles` in its tokens). */
    applicationPermissions: permissionMap.optional(),
  })
  .strict();

export const managedIdentitiesInput = z
  .object({
    /**
     * The App Service protocol's secret header value (`IDENTITY_HEADER`, sent back as `X-IDENTITY-HEADER`).
     * Without it the App Service endpoint refuses every request.
     */
    identityHeader: z
      .string()
      .min(16)
      .max(256)
      .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces (it travels in an HTTP header)')
      .optional(),
    systemAssigned: managedIdentityInput.optional(),
    userAssigned: z.array(managedIdentityInput).max(100).optional(),
  })
  .strict();

export const settingsInput = z
  .object({
    accessTokenLifetime: z.number().int().min(60).max(86_400).optional(),
    caeAccessTokenLifetime: z
      .number()
      .int()
      .min(60)
      .max(28 * 3600)
      .optional(),
    idTokenLifetime: z.number().int().min(60).max(86_400).optional(),
    refreshTokenLifetime: z
      .number()
      .int()
      .min(60)
      .max(365 * 86_400)
      .optional(),
    /** Entra's is a fixed 24 hours (the default); shorter only to see the expiry in a test. */
    spaRefreshTokenLifetime: z.number().int().min(1).max(86_400).optional(),
    codeLifetime: z.number().int().min(10).max(3600).optional(),
    deviceCodeLifetime: z.number().int().min(10).max(3600).optional(),
    deviceCodeInterval: z.number().int().min(1).max(60).optional(),
    keyGraceSeconds: z
      .number()
      .int()
      .min(0)
      .max(30 * 86_400)
      .optional(),
  })
  .strict();

export const configInput = z
  .object({
    tenants: z.array(tenantInput).min(1),
    users: z.array(userInput).default([]),
    apps: z.array(appInput).default([]),
    managedIdentities: managedIdentitiesInput.optional(),
    settings: settingsInput.optional(),
  })
  .strict();

export type ScenariosInput = z.infer<typeof scenarios>;
export type TenantInput = z.infer<typeof tenantInput>;
export type UserInput = z.infer<typeof userInput>;
export type AppInput = z.infer<typeof appInput>;
export type FederatedCredentialInput = z.infer<typeof federatedCredentialInput>;
export type SettingsInput = z.infer<typeof settingsInput>;
export type ManagedIdentityInput = z.infer<typeof managedIdentityInput>;
export type ManagedIdentitiesInput = z.infer<typeof managedIdentitiesInput>;
export type ConfigInput = z.infer<typeof configInput>;
/** A config as written by a person (or passed to startEmulator): defaults not yet applied. */
export type ConfigFile = z.input<typeof configInput>;
export { scenarios as scenariosInput };

/** Turns a zod failure into one readable line per problem: `apps[0].type: Invalid option …`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
}
