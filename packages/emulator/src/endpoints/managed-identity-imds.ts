import { EntraError } from '../errors/entra-error.js';
import { type ManagedIdentityProtocol, managedIdentityEndpoint, type Refusal } from './managed-identity.js';

/**
 * The instance metadata service's token endpoint, `GET /metadata/identity/oauth2/token` (how-to-use-vm-token;
 * the IMDS REST specification, `Identity_GetToken`). Clients find it at `AZURE_POD_IDENTITY_AUTHORITY_HOST`
 * (msal-node, @azure/identity) instead of `http://169.254.169.254`.
 */

export const IMDS_PATH = '/metadata/identity/oauth2/token';

/** API versions IMDS lists as supported, from the one that introduced the identity category (2018-02-01). */
const API_VERSIONS = new Set([
  '2018-02-01',
  '2018-04-02',
  '2018-10-01',
  '2019-02-01',
  '2019-03-11',
  '2019-04-30',
  '2019-06-01',
  '2019-06-04',
  '2019-08-01',
  '2019-08-15',
  '2019-11-01',
  '2020-06-01',
  '2020-07-15',
  '2020-09-01',
  '2020-10-01',
  '2020-12-01',
  '2021-01-01',
  '2021-02-01',
  '2021-03-01',
  '2021-05-01',
  '2021-08-01',
  '2021-10-01',
  '2021-11-01',
  '2021-11-15',
  '2021-12-13',
  '2023-07-01',
  '2023-11-15',
  '2024-03-15',
  '2024-07-17',
  '2025-04-07',
]);
const NEWEST_VERSIONS = ['2025-04-07', '2024-07-17', '2024-03-15'];

function invalidRequest(message: string): Refusal {
  return { status: 400, code: 'invalid_request', message };
}

export const IMDS: ManagedIdentityProtocol = {
  name: 'IMDS',
  guard(_ctx, x) {
    // S115: `Metadata: true`, in lower case, and no `X-Forwarded-For` (IMDS answers no request sent through a
    // proxy). A repeated header arrives joined (`true, true`) and is refused like any other value.
    if (x.req.headers.metadata !== 'true') {
      return { status: 400, code: 'bad_request_102', message: 'Required metadata header not specified' };
    }
    if (x.req.headers['x-forwarded-for'] !== undefined) {
      return {
        status: 400,
        code: 'bad_request',
        message: 'Requests with an X-Forwarded-For header are refused: IMDS is not reached through a proxy.',
      };
    }
    return undefined;
  },
  apiVersion(value) {
    if (value !== undefined && API_VERSIONS.has(value)) return undefined;
    return {
      status: 400,
      code: 'bad_request',
      message: 'api-version',
      body: {
        error:
          'Bad request. api-version is invalid or was not specified in the request. For more information refer to aka.ms/azureimds',
        'newest-versions': NEWEST_VERSIONS,
      },
    };
  },
  selectors: { client_id: 'clientId', object_id: 'principalId', msi_res_id: 'resourceId' },
  soleUserAssignedByDefault: true,
  refusals: {
    duplicate: (names) => invalidRequest(`Query parameters may not be repeated: ${names.join(', ')}.`),
    missingResource: invalidRequest("Required query variable 'resource' is missing"),
    severalSelectors: (names) =>
      invalidRequest(
        `Give only one of client_id, object_id and msi_res_id (the request has ${names.join(', ')}).`,
      ),
    unknownIdentity: invalidRequest('Identity not found'),
    noDefaultIdentity: (userAssigned) =>
      invalidRequest(
        userAssigned > 1
          ? 'Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in the token request'
          : 'Identity not found',
      ),
    unknownResource: (resource, tenantId) => ({
      status: 400,
      code: 'invalid_resource',
      message: new EntraError(500011, { resource, tenant: tenantId }).description,
    }),
  },
  errorBody: (r) => ({ error: r.code, error_description: r.message }),
  answer: (token, selected) => ({
    ...token,
    ...(selected && selected.param !== 'client_id' ? { [selected.param]: selected.value } : {}),
  }),
};

export const imdsToken = managedIdentityEndpoint(IMDS);
