import { randomUUID } from 'node:crypto';
import { safeEqual } from '../http/safe-equal.js';
import { type ManagedIdentityProtocol, managedIdentityEndpoint, type Refusal } from './managed-identity.js';

/**
 * App Service's (and Azure Functions') identity endpoint, the 2019-08-01 protocol ("Managed identities for App
 * Service", REST endpoint reference): clients find it at `IDENTITY_ENDPOINT` and send `IDENTITY_HEADER` back as
 * `X-IDENTITY-HEADER`. The emulator serves it at `/msi/token`, the path App Service uses.
 */

export const APP_SERVICE_PATH = '/msi/token';
const API_VERSION = '2019-08-01';

function badRequest(message: string): Refusal {
  return { status: 400, code: 'bad_request', message };
}

export const APP_SERVICE: ManagedIdentityProtocol = {
  name: 'App Service',
  guard(ctx, x) {
    // S115: the header must carry exactly the configured value (compared in constant time); a repeated header
    // arrives joined and is refused like any other value.
    const expected = ctx.directory.managedIdentities.identityHeader;
    if (expected === undefined) {
      return badRequest(
        'The emulator has no App Service identity header: set managedIdentities.identityHeader in its config, and the same value in IDENTITY_HEADER.',
      );
    }
    const given = x.req.headers['x-identity-header'];
    if (typeof given !== 'string' || !safeEqual(given, expected)) {
      return badRequest(
        'The X-IDENTITY-HEADER header is missing or wrong: send the value of IDENTITY_HEADER.',
      );
    }
    return undefined;
  },
  apiVersion(value) {
    if (value === API_VERSION) return undefined;
    return badRequest(
      `api-version must be ${API_VERSION} (the emulator serves the ${API_VERSION} protocol of IDENTITY_ENDPOINT; the 2017-09-01 one of MSI_ENDPOINT is not emulated).`,
    );
  },
  selectors: {
    client_id: 'clientId',
    principal_id: 'principalId',
    object_id: 'principalId',
    mi_res_id: 'resourceId',
  },
  soleUserAssignedByDefault: false,
  refusals: {
    duplicate: (names) => badRequest(`Query parameters may not be repeated: ${names.join(', ')}.`),
    missingResource: badRequest('The resource query parameter is missing.'),
    severalSelectors: (names) =>
      badRequest(
        `Give only one of client_id, principal_id (or object_id) and mi_res_id (the request has ${names.join(', ')}).`,
      ),
    unknownIdentity: badRequest(
      'No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId.',
    ),
    noDefaultIdentity: () =>
      badRequest(
        'This resource has no system-assigned managed identity: select a user-assigned one with client_id, principal_id or mi_res_id.',
      ),
    // The message as App Service writes it (sic), for a resource Entra does not know.
    unknownResource: () => ({
      status: 500,
      code: 'server_error',
      message: 'An unexpected error occured while fetching the AAD Token.',
    }),
  },
  errorBody: (r) => ({ statusCode: r.status, message: r.message, correlationId: randomUUID() }),
  answer: (token) => ({
    access_token: token.access_token,
    expires_on: token.expires_on,
    resource: token.resource,
    token_type: token.token_type,
    client_id: token.client_id,
    not_before: token.not_before,
  }),
};

export const appServiceToken = managedIdentityEndpoint(APP_SERVICE);
