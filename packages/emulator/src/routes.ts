import { admin } from './admin/api.js';
import { authorize } from './endpoints/authorize.js';
import { deviceAuthorization, devicePage, deviceSubmit } from './endpoints/device-authorization.js';
import { instanceDiscovery, jwks, openidConfiguration } from './endpoints/discovery.js';
import { me, userinfo } from './endpoints/graph.js';
import { introspect } from './endpoints/introspect.js';
import { logout } from './endpoints/logout.js';
import { token } from './endpoints/token.js';
import { consentSubmit, loginSubmit, selectAccountSubmit } from './endpoints/ui.js';
import { redirect } from './http/respond.js';
import type { Route } from './http/route.js';

const T = '([^/]+)';

function route(
  methods: string[],
  pattern: string,
  names: string[],
  handler: Route['handler'],
  errors: Route['errors'] = 'json',
): Route {
  return { methods, pattern: new RegExp(`^${pattern}$`), names, handler, errors };
}

/** Every path the emulator serves, in one table. */
export const ROUTES: Route[] = [
  route(['GET'], `/${T}/v2\\.0/\\.well-known/openid-configuration`, ['tenant'], openidConfiguration),
  route(['GET'], `/${T}/discovery/v2\\.0/keys`, ['tenant'], jwks),
  route(['GET'], `/${T}/discovery/keys`, ['tenant'], jwks),
  route(['GET'], `/${T}/discovery/instance`, ['tenant'], instanceDiscovery),
  route(['GET', 'POST'], `/${T}/oauth2/v2\\.0/authorize`, ['tenant'], authorize, 'page'),
  route(['GET', 'POST', 'PUT', 'DELETE', 'PATCH'], `/${T}/oauth2/v2\\.0/token`, ['tenant'], token),
  route(
    ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'],
    `/${T}/oauth2/v2\\.0/devicecode`,
    ['tenant'],
    deviceAuthorization,
  ),
  route(['GET', 'POST'], `/${T}/oauth2/v2\\.0/logout`, ['tenant'], logout, 'page'),
  route(['GET', 'POST', 'PUT', 'DELETE', 'PATCH'], `/${T}/oauth2/v2\\.0/introspect`, ['tenant'], introspect),
  route(['POST'], '/_ui/login', [], loginSubmit, 'page'),
  route(['POST'], '/_ui/consent', [], consentSubmit, 'page'),
  route(['POST'], '/_ui/select-account', [], selectAccountSubmit, 'page'),
  route(['GET'], '/devicelogin', [], devicePage, 'page'),
  route(['POST'], '/devicelogin', [], deviceSubmit, 'page'),
  route(['GET'], '/v1\\.0/me', [], me),
  route(['GET', 'POST'], '/oidc/userinfo', [], userinfo),
  route(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], '/_emulator(?:/.*)?', [], admin),
  route(['GET'], '/', [], (_ctx, x) => redirect(x.res, '/_emulator/')),
];
