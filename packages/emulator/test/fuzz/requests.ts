// Fuzz requests: random requests to every known endpoint and the admin API (method, tenant, parameters, headers).
import { SAMPLE_IDS, SAMPLE_SECRETS } from '../../src/index.ts';
import { type Rng, bytes } from './rng.ts';
import {
  AUTHORIZE_PARAMS,
  DAEMON,
  INJECTION,
  PUBLIC,
  TOKEN_PARAMS,
  WEB,
  any,
  b64url,
  loot,
  mutate,
  paramString,
  pct,
  randomGuid,
  randomText,
  tenantSegment,
  unsignedJwt,
  validValue,
} from './values.ts';

export interface HttpRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Oversized or broken on purpose: the server may close the connection instead of answering. */
  mayReset?: boolean;
}

export interface Endpoint {
  label: string;
  path: (tenant: string) => string;
  methods: string[];
  params: string[];
  auth?: boolean;
}

export const ENDPOINTS: Endpoint[] = [
  {
    label: 'openid-configuration',
    path: (t) => `/${t}/v2.0/.well-known/openid-configuration`,
    methods: ['GET'],
    params: [],
  },
  { label: 'jwks', path: (t) => `/${t}/discovery/v2.0/keys`, methods: ['GET'], params: [] },
  { label: 'jwks-v1', path: (t) => `/${t}/discovery/keys`, methods: ['GET'], params: [] },
  {
    label: 'instance-discovery',
    path: (t) => `/${t}/discovery/instance`,
    methods: ['GET'],
    params: ['authorization_endpoint', 'api-version'],
  },
  {
    label: 'authorize',
    path: (t) => `/${t}/oauth2/v2.0/authorize`,
    methods: ['GET', 'GET', 'POST'],
    params: AUTHORIZE_PARAMS,
  },
  {
    label: 'token',
    path: (t) => `/${t}/oauth2/v2.0/token`,
    methods: ['POST'],
    params: TOKEN_PARAMS,
    auth: true,
  },
  {
    label: 'devicecode',
    path: (t) => `/${t}/oauth2/v2.0/devicecode`,
    methods: ['POST'],
    params: ['client_id', 'scope', 'client_info'],
  },
  {
    label: 'logout',
    path: (t) => `/${t}/oauth2/v2.0/logout`,
    methods: ['GET', 'POST'],
    params: ['post_logout_redirect_uri', 'client_id', 'id_token_hint', 'state', 'logout_hint'],
  },
  {
    label: 'introspect',
    path: (t) => `/${t}/oauth2/v2.0/introspect`,
    methods: ['POST'],
    params: ['client_id', 'client_secret', 'token', 'token_type_hint'],
    auth: true,
  },
  { label: 'ui-login', path: () => '/_ui/login', methods: ['POST'], params: ['tx', 'username', 'password'] },
  { label: 'ui-consent', path: () => '/_ui/consent', methods: ['POST'], params: ['tx', 'decision'] },
  {
    label: 'ui-select-account',
    path: () => '/_ui/select-account',
    methods: ['POST'],
    params: ['tx', 'account'],
  },
  {
    label: 'devicelogin',
    path: () => '/devicelogin',
    methods: ['GET', 'POST'],
    params: ['user_code', 'otc'],
  },
  { label: 'ui-device-code', path: () => '/_ui/device-code', methods: ['POST'], params: ['tx', 'user_code'] },
  {
    label: 'ui-device-confirm',
    path: () => '/_ui/device-confirm',
    methods: ['POST'],
    params: ['tx', 'decision'],
  },
  { label: 'ui-sign-out', path: () => '/_ui/sign-out', methods: ['POST'], params: ['tx'] },
  { label: 'graph-me', path: () => '/v1.0/me', methods: ['GET'], params: ['$select'], auth: true },
  {
    label: 'graph-users',
    path: () => '/v1.0/users',
    methods: ['GET'],
    params: ['$top', '$filter', '$skiptoken', '$select'],
    auth: true,
  },
  {
    label: 'graph-user',
    path: () => '/v1.0/users/alice@contoso.onmicrosoft.com',
    methods: ['GET'],
    params: [],
    auth: true,
  },
  {
    label: 'user-realm',
    path: () => `/common/userrealm/${pct('alice@contoso.onmicrosoft.com')}`,
    methods: ['GET'],
    params: ['api-version'],
  },
  {
    label: 'v1-openid-configuration',
    path: (t) => `/${t}/.well-known/openid-configuration`,
    methods: ['GET'],
    params: [],
  },
  {
    label: 'v1-authorize',
    path: (t) => `/${t}/oauth2/authorize`,
    methods: ['GET', 'POST'],
    params: [...AUTHORIZE_PARAMS, 'resource'],
  },
  {
    label: 'v1-token',
    path: (t) => `/${t}/oauth2/token`,
    methods: ['POST'],
    params: [...TOKEN_PARAMS, 'resource'],
    auth: true,
  },
  { label: 'userinfo', path: () => '/oidc/userinfo', methods: ['GET', 'POST'], params: [], auth: true },
  { label: 'root', path: () => '/', methods: ['GET'], params: [] },
  {
    label: 'unknown',
    path: (t) => `/${t}/oauth2/v2.0/nope`,
    methods: ['GET', 'POST'],
    params: ['client_id'],
  },
  {
    label: 'unknown',
    path: (t) => `/${t}/oauth2/v2.0/authorize/extra`,
    methods: ['GET'],
    params: ['client_id'],
  },
];

export const METHODS = [
  'GET',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'HEAD',
  'OPTIONS',
  'TRACE',
  'PROPFIND',
  'FOO',
  'M-SEARCH',
];
export const FORM = 'application/x-www-form-urlencoded';
export const CONTENT_TYPES = [
  'application/json',
  'text/plain',
  'multipart/form-data; boundary=xyz',
  `${FORM}; charset=utf-16`,
  'APPLICATION/X-WWW-FORM-URLENCODED',
  `${FORM};;;`,
  ` ${FORM} `,
  'application/xml',
  '*/*',
  '',
];

export function authorizationHeader(r: Rng): { value: string; mayReset?: boolean } {
  const basic = (s: string) => `Basic ${Buffer.from(s, 'utf8').toString('base64')}`;
  switch (r.int(20)) {
    case 0:
      return { value: basic('no-colon-here') };
    case 1:
      return { value: 'Basic !!!not*base64***' };
    case 2:
      return { value: basic(`${WEB}:${SAMPLE_SECRETS.webApp}`) };
    case 3:
      return { value: basic(`${WEB}:wrong`) };
    case 4:
      return { value: basic('%E0%A4%A:x') };
    case 5:
      return { value: r.pick(['Basic', 'Basic ', 'basic =', basic(':'), basic(`${PUBLIC}:`)]) };
    case 6:
      return { value: basic(`${randomText(r, 10)}:${randomText(r, 10)}`) };
    case 7:
      return { value: `Bearer ${unsignedJwt(r, 'none')}` };
    case 8:
      return { value: `Bearer ${unsignedJwt(r, r.pick(['HS256', 'RS256', 'ES256', 'NONE']))}` };
    case 9:
      return { value: `Bearer ${any(r, loot.access, 'a.b.c')}` };
    case 10:
      return { value: `Bearer ${mutate(r, any(r, loot.access, 'a.b.c'))}` };
    case 11:
      return r.chance(0.1)
        ? { value: `Bearer ${'A'.repeat(1_048_576)}`, mayReset: true }
        : { value: `Bearer ${'A'.repeat(20_000)}`, mayReset: true };
    case 12:
      return {
        value: r.pick([
          'Bearer',
          'Bearer ',
          'bearer x y',
          'Bearer a.b.c',
          'Negotiate abc',
          'Bearer ===',
          'Bearer %00',
        ]),
      };
    case 13:
      return { value: `Bearer ${any(r, loot.idTokens, 'e30.e30.')}` };
    case 14:
      return { value: `Bearer ${any(r, loot.appTokens, 'e30.e30.')}` };
    case 15:
      return { value: `Bearer ${b64url('{"alg":"RS256"')}.${b64url('{')}.x` };
    case 16:
      return { value: basic(`${WEB}:${SAMPLE_SECRETS.webApp}:extra`) };
    case 17:
      return { value: `Basic ${b64url(`${DAEMON}:${SAMPLE_SECRETS.daemonApp}`)}` };
    case 18:
      return { value: `Bearer ${any(r, loot.refresh, { token: 'x', clientId: '' }).token}` };
    default:
      return { value: randomText(r, r.int(40)) };
  }
}

export function cookieHeader(r: Rng): string {
  switch (r.int(8)) {
    case 0:
      return `tokenloop_sso=${bytes(r, 24).toString('base64url')}`;
    case 1:
      return `tokenloop_sso=${any(r, loot.sessions, 'x')}`;
    case 2:
      return 'tokenloop_sso=%E0%A4%A';
    case 3:
      return '=; ;; a=b; tokenloop_sso; =x';
    case 4:
      return Array.from({ length: 60 }, (_, i) => `c${i}=${i}`).join('; ');
    case 5:
      return `tokenloop_sso=${'x'.repeat(4000)}`;
    case 6:
      return `tokenloop_sso=a; tokenloop_sso=${any(r, loot.sessions, 'b')}`;
    default:
      return pct(randomText(r, 30));
  }
}

export function extraHeaders(r: Rng, headers: Record<string, string>, auth: boolean): boolean {
  let mayReset = false;
  if (r.chance(auth ? 0.5 : 0.08)) {
    const a = authorizationHeader(r);
    headers['authorization'] = a.value;
    mayReset ||= !!a.mayReset;
  }
  if (r.chance(0.2)) headers['cookie'] = cookieHeader(r);
  if (r.chance(0.1)) headers['client-request-id'] = r.chance(0.5) ? randomGuid(r) : randomText(r, 40);
  if (r.chance(0.1)) headers['accept'] = r.pick(['text/html', 'application/json', '*/*', '']);
  if (r.chance(0.05)) headers['origin'] = r.pick(['http://evil.example', 'null', 'http://127.0.0.1:3000']);
  if (r.chance(0.05)) headers['x-client-sku'] = randomText(r, 20);
  if (r.chance(0.03)) headers['accept-encoding'] = 'gzip, br';
  return mayReset;
}

/** One request to a known endpoint with random method, tenant, parameters, content type and headers. */
export function endpointRequest(r: Rng): HttpRequest {
  const ep = r.pick(ENDPOINTS);
  const method = r.chance(0.88) ? r.pick(ep.methods) : r.pick(METHODS);
  const headers: Record<string, string> = {};
  let mayReset = extraHeaders(r, headers, !!ep.auth);
  const params = paramString(r, ep.params);
  let path = ep.path(tenantSegment(r));
  let body: string | undefined;
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS' || r.chance(0.1)) {
    if (params && r.chance(0.9)) path += `?${params}`;
  } else {
    if (r.chance(0.1)) path += `?${paramString(r, ep.params)}`;
    const type = r.chance(0.7) ? FORM : r.pick(CONTENT_TYPES);
    if (type) headers['content-type'] = type;
    const shape = r.next();
    if (type === 'application/json' && shape < 0.8) {
      body = JSON.stringify(Object.fromEntries(new URLSearchParams(params)));
    } else if (shape < 0.03) {
      body = `${params}&pad=${'x'.repeat(64 * 1024 + r.int(10_000))}`;
      mayReset = true;
    } else if (shape < 0.06) {
      body = randomText(r, 200);
    } else body = params;
  }
  if (path.length + (body?.length ?? 0) > 14_000) mayReset = true;
  return {
    method,
    path,
    headers,
    ...(body !== undefined ? { body } : {}),
    ...(mayReset ? { mayReset } : {}),
  };
}

export function fuzzJson(r: Rng, depth = 0): unknown {
  switch (r.int(depth > 2 ? 6 : 8)) {
    case 0:
      return null;
    case 1:
      return r.chance(0.5);
    case 2:
      return r.pick([0, -1, 1.5, 1e308, 86_401, 500, 503, 3]);
    case 3:
      return randomText(r, r.int(30));
    case 4:
      return r.pick(INJECTION);
    case 5:
      return 'x'.repeat(r.pick([1, 257, 5000]));
    case 6:
      return Array.from({ length: r.int(4) }, () => fuzzJson(r, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: r.int(5) }, () => [
          r.pick([
            'username',
            'password',
            'name',
            'type',
            'domain',
            'id',
            'tenant',
            'redirectUris',
            '__proto__',
            randomText(r, 6),
          ]),
          fuzzJson(r, depth + 1),
        ]),
      );
  }
}

/** Scenario bodies for the fuzz user only, never `serverError` (which answers 5xx by design). */
export function scenarioBody(r: Rng): unknown {
  if (r.chance(0.3)) return fuzzJson(r);
  const keys = [
    'consentRequired',
    'mfaRequired',
    'disabled',
    'grantRevoked',
    'refreshTokenExpired',
    'throttleSeconds',
    'bogus',
  ];
  return Object.fromEntries(
    Array.from({ length: r.int(3) }, () => {
      const k = r.pick(keys);
      return [
        k,
        k === 'throttleSeconds'
          ? r.pick([1, 0, -5, 86_401, 'x', 2.5])
          : r.pick([true, false, 'yes', 1, null]),
      ];
    }),
  );
}

export function adminRequest(r: Rng, index: number): HttpRequest {
  const json = (): HttpRequest['headers'] => (r.chance(0.85) ? { 'content-type': 'application/json' } : {});
  const text = (value: unknown) =>
    r.chance(0.9) ? JSON.stringify(value) : r.pick(['{', '', 'null', '[]', '"x"', randomText(r, 50)]);
  const ref = () =>
    r.pick([
      'fuzzvictim',
      'fuzzvictim@contoso.onmicrosoft.com',
      '%E0%A4%A',
      pct(randomText(r, 8)),
      'nobody',
      '%00',
      randomGuid(r),
    ]);
  if (index % 5_000 === 4_999) return { method: 'POST', path: '/_emulator/api/keys/rotate', headers: {} };
  switch (r.int(11)) {
    case 0:
      return {
        method: r.chance(0.8) ? 'GET' : r.pick(METHODS),
        path: r.pick([
          '/_emulator',
          '/_emulator/',
          '/_emulator/stats',
          '/_emulator/api/directory',
          '/_emulator/api/tenants',
          '/_emulator/api/apps',
          '/_emulator/api/users',
          '/_emulator/api/sessions',
          '/_emulator/api/tokens',
          '/_emulator/nope',
          '/_emulator/api/../stats',
          '/_emulatorx',
          '/_emulator//api//users',
          `/_emulator/${pct(randomText(r, 10))}`,
          '/_emulator/%E0%A4%A',
        ]),
        headers: {},
      };
    case 1:
      return {
        method: r.pick(['POST', 'DELETE']),
        path: r.pick(['/_emulator/stats/reset', '/_emulator/stats']),
        headers: {},
      };
    case 2: {
      const body = r.chance(0.5)
        ? fuzzJson(r)
        : {
            username: r.chance(0.7) ? `fuzz${r.int(1e6)}@contoso.onmicrosoft.com` : randomText(r, 20),
            password: r.chance(0.8) ? randomText(r, 1 + r.int(20)) : '',
            ...(r.chance(0.5) ? { displayName: randomText(r, 1 + r.int(40)) } : {}),
            ...(r.chance(0.3)
              ? { tenant: r.pick([SAMPLE_IDS.fabrikam, 'contoso.onmicrosoft.com', 'nope', '']) }
              : {}),
            ...(r.chance(0.1) ? { scenarios: scenarioBody(r) } : {}),
          };
      return { method: 'POST', path: '/_emulator/api/users', headers: json(), body: text(body) };
    }
    case 3: {
      const body = r.chance(0.4)
        ? fuzzJson(r)
        : {
            name: randomText(r, 1 + r.int(30)),
            type: r.pick(['public', 'web', 'daemon', 'api', 'x']),
            ...(r.chance(0.6)
              ? { redirectUris: [validValue(r, 'redirect_uri'), randomText(r, 10)].slice(0, 1 + r.int(2)) }
              : {}),
            ...(r.chance(0.3) ? { secret: randomText(r, 4 + r.int(20)) } : {}),
            ...(r.chance(0.2) ? { tenant: r.pick([SAMPLE_IDS.fabrikam, 'nope']) } : {}),
            ...(r.chance(0.2)
              ? { delegatedPermissions: { 'https://graph.microsoft.com': ['User.Read'], nope: ['x'] } }
              : {}),
          };
      return { method: 'POST', path: '/_emulator/api/apps', headers: json(), body: text(body) };
    }
    case 4: {
      const body = r.chance(0.5)
        ? fuzzJson(r)
        : { domain: randomText(r, r.int(20)), name: randomText(r, r.int(20)) };
      return { method: 'POST', path: '/_emulator/api/tenants', headers: json(), body: text(body) };
    }
    case 5: {
      const body = scenarioBody(r);
      const kind = r.chance(0.8) ? 'users' : 'apps';
      const target = kind === 'users' ? ref() : r.pick(['%E0%A4%A', randomGuid(r), 'nope']);
      return {
        method: r.pick(['PUT', 'PATCH']),
        path: `/_emulator/api/${kind}/${target}/scenarios`,
        headers: json(),
        body: text(body),
      };
    }
    case 6: {
      const pem = r.pick([
        '-----BEGIN CERTIFICATE-----',
        `-----BEGIN CERTIFICATE-----\n${bytes(r, 64).toString('base64')}\n-----END CERTIFICATE-----`,
        `-----BEGIN CERTIFICATE-----${randomText(r, 30)}`,
        'not a certificate',
      ]);
      const body = r.chance(0.8) ? { certificatePem: pem } : fuzzJson(r);
      return {
        method: 'POST',
        path: `/_emulator/api/apps/${r.pick([WEB, DAEMON, PUBLIC, '%E0%A4%A', randomGuid(r)])}/certificates`,
        headers: json(),
        body: text(body),
      };
    }
    case 7:
      return {
        method: 'POST',
        path: `/_emulator/api/users/${r.chance(0.3) ? r.pick(['alice', 'bob']) : ref()}/revoke`,
        headers: {},
      };
    case 8:
      return {
        method: 'POST',
        path: `/_emulator/api/${r.pick(['users', 'apps', 'tenants'])}`,
        headers: { 'content-type': 'application/json' },
        body: `{"x":"${'y'.repeat(70_000)}"}`,
        mayReset: true,
      };
    default: {
      const body = fuzzJson(r);
      return {
        method: r.pick(METHODS),
        path: `/_emulator/api/${r.pick(['users', 'apps', 'tenants', 'keys', 'sessions'])}${r.chance(0.5) ? `/${ref()}` : ''}${r.chance(0.3) ? '/scenarios' : ''}`,
        headers: json(),
        body: text(body),
      };
    }
  }
}

export function formBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

export function post(
  path: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): HttpRequest {
  return { method: 'POST', path, headers: { 'content-type': FORM, ...headers }, body: formBody(fields) };
}
