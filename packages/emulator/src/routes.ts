import { admin } from './admin/api.js';
import { authorize } from './endpoints/authorize.js';
import { deviceAuthorization } from './endpoints/device-authorization.js';
import { deviceCodeSubmit, devicePage } from './endpoints/device-login.js';
import { instanceDiscovery, jwks, openidConfiguration } from './endpoints/discovery.js';
import { me, mePhoto, userinfo } from './endpoints/graph.js';
import { getUser, listUsers } from './endpoints/graph-users.js';
import { introspect } from './endpoints/introspect.js';
import { logout, signOutSubmit } from './endpoints/logout.js';
import { APP_SERVICE_PATH, appServiceToken } from './endpoints/managed-identity-app-service.js';
import { IMDS_PATH, imdsToken } from './endpoints/managed-identity-imds.js';
import { token } from './endpoints/token.js';
import { consentSubmit, deviceConfirmSubmit, loginSubmit, selectAccountSubmit } from './endpoints/ui.js';
import { v1Authorize } from './endpoints/v1-authorize.js';
import { v1OpenidConfiguration } from './endpoints/v1-discovery.js';
import { v1Token } from './endpoints/v1-token.js';
import { userRealm } from './endpoints/user-realm.js';
import { ISSUERS_PATH } from './directory/issuer-names.js';
import { localIssuerDiscovery, localIssuerKeys } from './federation/local-issuer.js';
import { UI_PATHS } from './flow/proceed.js';
import { redirect } from './http/respond.js';
import type { Route } from './http/route.js';

const T = '([^/]+)';
const ANY = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];

function pattern(p: string): RegExp {
  return new RegExp(`^${p}$`);
}

/** A JSON endpoint for programs (S85: `api`); `cors`: which pages on other origins may read it (http/cors.ts). */
function api(
  methods: string[],
  p: string,
  names: string[],
  handler: Route['handler'],
  cors?: Route['cors'],
): Route {
  return {
    methods,
    pattern: pattern(p),
    names,
    handler,
    errors: 'json',
    crossSite: 'api',
    ...(cors ? { cors } : {}),
  };
}

/** Discovery documents and keys: any page reads them (Entra: `Access-Control-Allow-Origin: *`, GET, OPTIONS). */
const READ_BY_ANY_PAGE: Route['cors'] = { methods: 'GET, OPTIONS', answers: 'any' };

/** Where an app sends the browser: a page, cross-site by design, changing nothing of the user's (S85: `entry`). */
function entry(methods: string[], p: string, names: string[], handler: Route['handler']): Route {
  return { methods, pattern: pattern(p), names, handler, errors: 'page', crossSite: 'entry' };
}

/** A post from one of the emulator's own pages: refused from anywhere else (S85: `refused`). */
function pagePost(path: string, handler: Route['handler']): Route {
  return {
    methods: ['POST'],
    pattern: pattern(path),
    names: [],
    handler,
    errors: 'page',
    crossSite: 'refused',
  };
}

/** Every path the emulator serves, in one table. */
export const ROUTES: Route[] = [
  api(
    ['GET'],
    `/${T}/v2\\.0/\\.well-known/openid-configuration`,
    ['tenant'],
    openidConfiguration,
    READ_BY_ANY_PAGE,
  ),
  api(['GET'], `/${T}/discovery/v2\\.0/keys`, ['tenant'], jwks, READ_BY_ANY_PAGE),
  api(['GET'], `/${T}/discovery/keys`, ['tenant'], jwks, READ_BY_ANY_PAGE),
  api(['GET'], `/${T}/discovery/instance`, ['tenant'], instanceDiscovery, READ_BY_ANY_PAGE),
  entry(['GET', 'POST'], `/${T}/oauth2/v2\\.0/authorize`, ['tenant'], authorize),
  // Single-page apps redeem their codes and refresh tokens from the page (grants/spa-redemption.ts).
  api(ANY, `/${T}/oauth2/v2\\.0/token`, ['tenant'], token, { methods: 'POST, OPTIONS', answers: 'handler' }),
  api(ANY, `/${T}/oauth2/v2\\.0/devicecode`, ['tenant'], deviceAuthorization),
  entry(['GET', 'POST'], `/${T}/oauth2/v2\\.0/logout`, ['tenant'], logout),
  api(ANY, `/${T}/oauth2/v2\\.0/introspect`, ['tenant'], introspect),
  // The v1 endpoints ADAL-era clients call: `resource` instead of `scope`, the v1 answer (endpoints/v1-*.ts).
  api(
    ['GET'],
    `/${T}/\\.well-known/openid-configuration`,
    ['tenant'],
    v1OpenidConfiguration,
    READ_BY_ANY_PAGE,
  ),
  entry(['GET', 'POST'], `/${T}/oauth2/authorize`, ['tenant'], v1Authorize),
  api(ANY, `/${T}/oauth2/token`, ['tenant'], v1Token, { methods: 'POST, OPTIONS', answers: 'handler' }),
  entry(['GET', 'POST'], `/${T}/oauth2/logout`, ['tenant'], logout),
  api(['GET'], '/common/(?:userrealm|UserRealm)/([^/]+)', ['user'], userRealm),
  pagePost(UI_PATHS.login, loginSubmit),
  pagePost(UI_PATHS.consent, consentSubmit),
  pagePost(UI_PATHS.selectAccount, selectAccountSubmit),
  pagePost(UI_PATHS.deviceCode, deviceCodeSubmit),
  pagePost(UI_PATHS.deviceConfirm, deviceConfirmSubmit),
  pagePost(UI_PATHS.signOut, signOutSubmit),
  entry(['GET'], '/devicelogin', [], devicePage),
  // Graph answers pages too (Microsoft's SPA samples call it from the browser with the bearer token).
  api(['GET'], '/v1\\.0/me', [], me, { methods: 'GET, OPTIONS', answers: 'any' }),
  api(['GET'], '/v1\\.0/me/photo', [], mePhoto, { methods: 'GET, OPTIONS', answers: 'any' }),
  api(['GET'], '/v1\\.0/me/photo/\\$value', [], mePhoto, { methods: 'GET, OPTIONS', answers: 'any' }),
  api(['GET'], '/v1\\.0/me/photos/([^/]+)/\\$value', ['size'], mePhoto, {
    methods: 'GET, OPTIONS',
    answers: 'any',
  }),
  api(['GET'], '/v1\\.0/users', [], listUsers, { methods: 'GET, OPTIONS', answers: 'any' }),
  api(['GET'], '/v1\\.0/users/([^/]+)', ['id'], getUser, { methods: 'GET, OPTIONS', answers: 'any' }),
  api(['GET', 'POST'], '/oidc/userinfo', [], userinfo, { methods: 'GET, POST, OPTIONS', answers: 'any' }),
  // Managed identity token endpoints (S115–S118): IMDS and App Service, for programs on this machine only. With
  // and without a final slash: msal-node adds one to the address it is given.
  ...[IMDS_PATH, `${IMDS_PATH}/`].map((p) => api(['GET'], p, [], imdsToken)),
  ...[APP_SERVICE_PATH, `${APP_SERVICE_PATH}/`].map((p) => api(['GET'], p, [], appServiceToken)),
  // The emulator's own CI issuers (S137): discovery and keys of `{emulator}/issuers/{name}`.
  api(
    ['GET'],
    `${ISSUERS_PATH}/([^/]+)/\\.well-known/openid-configuration`,
    ['issuer'],
    localIssuerDiscovery,
    READ_BY_ANY_PAGE,
  ),
  api(['GET'], `${ISSUERS_PATH}/([^/]+)/keys`, ['issuer'], localIssuerKeys, READ_BY_ANY_PAGE),
  api(ANY, '/_emulator(?:/.*)?', [], admin),
  entry(['GET'], '/', [], (_ctx, x) => redirect(x.res, '/_emulator/')),
];
