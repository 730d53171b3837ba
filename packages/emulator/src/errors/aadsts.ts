/**
 * The emulator's catalogue of AADSTS errors: for each code, the OAuth `error`, the HTTP status at the token
 * endpoint and a message template (`{name}` placeholders). Written from Microsoft's public error reference;
 * the wording is the emulator's own. This is the ONE place the emulator maps codes to statuses.
 */
export interface AadstsEntry {
  error: string;
  status: number;
  message: string;
  suberror?: string;
}

export const AADSTS = {
  50000: {
    error: 'server_error',
    status: 500,
    message: 'There was an error issuing a token or an issue with the sign-in service.',
  },
  50011: {
    error: 'invalid_client',
    status: 400,
    message:
      "The redirect URI '{redirectUri}' specified in the request does not match the redirect URIs configured for the application '{clientId}'.",
  },
  50013: { error: 'invalid_grant', status: 400, message: 'Assertion failed signature validation.' },
  50020: {
    error: 'invalid_request',
    status: 400,
    message:
      "User account '{username}' from identity provider does not exist in tenant '{tenant}' and cannot access the application '{clientId}'.",
  },
  50034: {
    error: 'invalid_grant',
    status: 400,
    suberror: 'bad_token',
    message:
      'The user account {username} does not exist in the {tenant} directory. To sign into this application, the account must be added to the directory.',
  },
  50057: { error: 'invalid_grant', status: 400, message: 'The user account is disabled.' },
  50058: {
    error: 'login_required',
    status: 400,
    message: 'A silent sign-in request was sent but no user is signed in. {detail}',
  },
  50076: {
    error: 'invalid_grant',
    status: 400,
    suberror: 'basic_action',
    message:
      "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '{resource}'.",
  },
  50126: {
    error: 'invalid_grant',
    status: 400,
    message: 'Error validating credentials due to invalid username or password.',
  },
  50148: {
    error: 'invalid_grant',
    status: 400,
    message:
      'The code_verifier does not match the code_challenge supplied in the authorization request for PKCE. {detail}',
  },
  // S136: the issuer of a federated credential's assertion could not be asked for its keys.
  50166: {
    error: 'invalid_request',
    status: 400,
    message: 'Request to External OIDC endpoint failed. {detail}',
  },
  50173: {
    error: 'invalid_grant',
    status: 400,
    suberror: 'bad_token',
    message:
      'The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.',
  },
  50194: {
    error: 'invalid_request',
    status: 400,
    message:
      "Application '{clientId}'({appName}) is not configured as a multi-tenant application. Usage of the /common endpoint is not supported for such applications. Use a tenant-specific endpoint or configure the application to be multi-tenant.",
  },
  54005: {
    error: 'invalid_grant',
    status: 400,
    message:
      'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
  },
  65001: {
    error: 'invalid_grant',
    status: 400,
    suberror: 'consent_required',
    message:
      "The user or administrator has not consented to use the application with ID '{clientId}' named '{appName}'. Send an interactive authorization request for this user and resource.",
  },
  65004: { error: 'access_denied', status: 400, message: 'User declined to consent to access the app.' },
  70000: {
    error: 'invalid_grant',
    status: 400,
    message: 'The provided authorization code is invalid or has expired.',
  },
  70003: {
    error: 'unsupported_grant_type',
    status: 400,
    message: "The app requested an unsupported grant type '{grantType}'.",
  },
  70008: {
    error: 'invalid_grant',
    status: 400,
    message:
      'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
  },
  70011: {
    error: 'invalid_scope',
    status: 400,
    message: "The provided value for the input parameter 'scope' is not valid. {detail}",
  },
  70016: {
    error: 'authorization_pending',
    status: 400,
    message: 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.',
  },
  70019: { error: 'expired_token', status: 400, message: 'Verification code expired.' },
  70020: {
    error: 'expired_token',
    status: 400,
    message: "The provided value for the input parameter 'device_code' is not valid. Device code expired.",
  },
  70043: {
    error: 'invalid_grant',
    status: 400,
    suberror: 'bad_token',
    message:
      'The refresh token has expired or is invalid due to sign-in frequency checks by conditional access.',
  },
  90002: {
    error: 'invalid_request',
    status: 400,
    message:
      "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.",
  },
  90014: {
    error: 'invalid_request',
    status: 400,
    message:
      "The required field '{name}' is missing from the credential. Ensure that you have all the necessary parameters for the login request.",
  },
  90055: {
    error: 'temporarily_unavailable',
    status: 429,
    message: 'Too many requests. Retry after the number of seconds in the Retry-After header.',
  },
  90102: {
    error: 'invalid_request',
    status: 400,
    message: "'redirect_uri' value must be a valid absolute URI.",
  },
  500011: {
    error: 'invalid_resource',
    status: 400,
    message: "The resource principal named '{resource}' was not found in the tenant named '{tenant}'.",
  },
  // The v1 endpoints: a token needs a `resource`, named at authorize or in the token request.
  500013: { error: 'invalid_resource', status: 400, message: 'Resource identifier is not provided.' },
  500113: {
    error: 'invalid_request',
    status: 400,
    message: 'No reply address is registered for the application.',
  },
  500133: { error: 'invalid_grant', status: 400, message: 'Assertion is not within its valid time range.' },
  501481: {
    error: 'invalid_grant',
    status: 400,
    message: 'The code_verifier does not match the code_challenge supplied in the authorization request.',
  },
  700016: {
    error: 'unauthorized_client',
    status: 400,
    message:
      "Application with identifier '{clientId}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.",
  },
  700021: {
    error: 'invalid_client',
    status: 401,
    message: "Client assertion application identifier doesn't match 'client_id' parameter.",
  },
  // S136: a federated credential's assertion matches no federated identity credential of the app.
  700211: {
    error: 'invalid_client',
    status: 401,
    message:
      "No matching federated identity record found for presented assertion issuer '{issuer}'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion.",
  },
  700212: {
    error: 'invalid_client',
    status: 401,
    message:
      "No matching federated identity record found for presented assertion audience '{audience}'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion.",
  },
  700213: {
    error: 'invalid_client',
    status: 401,
    message:
      "No matching federated identity record found for presented assertion subject '{subject}'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion.",
  },
  700024: {
    error: 'invalid_client',
    status: 401,
    message: 'Client assertion is not within its valid time range.',
  },
  700025: {
    error: 'invalid_client',
    status: 400,
    message: "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
  },
  700027: {
    error: 'invalid_client',
    status: 401,
    message: 'Client assertion failed signature validation. {detail}',
  },
  700051: {
    error: 'unsupported_response_type',
    status: 400,
    message: "response_type '{responseType}' is not enabled for the application.",
  },
  700054: {
    error: 'invalid_request',
    status: 400,
    message: "response_type 'id_token' is not enabled for the application.",
  },
  700082: {
    error: 'invalid_grant',
    status: 400,
    suberror: 'bad_token',
    message:
      'The refresh token has expired due to inactivity. The token was inactive for longer than the allowed maximum.',
  },
  700084: {
    error: 'invalid_grant',
    status: 400,
    suberror: 'bad_token',
    message:
      'The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of {lifetime}, which cannot be extended. It is now expired and a new sign in request must be sent by the SPA to the sign in page. The token was issued on {issuedAt}.',
  },
  900144: {
    error: 'invalid_request',
    status: 400,
    message: "The request body must contain the following parameter: '{name}'.",
  },
  900561: {
    error: 'invalid_request',
    status: 400,
    message: 'The endpoint only accepts POST requests. Received a {method} request.',
  },
  900971: { error: 'invalid_request', status: 400, message: 'No reply address provided.' },
  90100: {
    error: 'invalid_request',
    status: 400,
    message: "The parameter '{name}' is empty or not valid.",
  },
  9001023: {
    error: 'invalid_request',
    status: 400,
    message:
      'The grant type is not supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.',
  },
  9002313: {
    error: 'invalid_request',
    status: 400,
    message: 'Invalid request. Request is malformed or invalid. {detail}',
  },
  9002325: {
    error: 'invalid_request',
    status: 400,
    message: 'Proof Key for Code Exchange is required for cross-origin authorization code redemption.',
  },
  9002326: {
    error: 'invalid_request',
    status: 400,
    message:
      "Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: '{origin}'.",
  },
  9002327: {
    error: 'invalid_request',
    status: 400,
    message:
      "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.",
  },
  7002138: {
    error: 'invalid_client',
    status: 401,
    message:
      "No matching federated identity record found for presented assertion subject '{subject}'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion.",
  },
  7000112: {
    error: 'unauthorized_client',
    status: 400,
    message: "Application '{clientId}'({appName}) is disabled.",
  },
  7000215: {
    error: 'invalid_client',
    status: 401,
    message:
      "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{clientId}'.",
  },
  7000218: {
    error: 'invalid_client',
    status: 401,
    message: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  },
  7000222: {
    error: 'invalid_client',
    status: 401,
    message:
      "The provided client secret keys for app '{clientId}' are expired. Create new keys for your app, or consider using certificate credentials for added security.",
  },
} as const satisfies Record<number, AadstsEntry>;

export type AadstsCode = keyof typeof AADSTS;

export function fillTemplate(template: string, values: Record<string, string | undefined>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? '').trim();
}
