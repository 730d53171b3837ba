// Fuzz values: random, broken and almost-valid parameter values, tenants, and the loot of real sign-ins.
import { createHash } from 'node:crypto';
import { SAMPLE_IDS, SAMPLE_SECRETS } from '../../src/index.ts';
import { type Rng, bytes } from './rng.ts';

/** Percent-encodes UTF-8 (lone surrogates become U+FFFD, as a browser would send them). */
export function pct(s: string): string {
  return encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8'));
}

export function b64url(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64url');
}

export const ALPHABETS = [
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  ' !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
  '\u0000\u0001\u0007\b\t\n\v\f\r\u001b\u007f',
  'äöüßéèñçøåæœİıЖжλπ中文日本語한국어עברيةالعربية',
  '\u200b\u200e\u202e\ufeff\ufffd\u{1f600}\u{1f4a9}\ud800\udfff',
];

export function randomText(r: Rng, length: number): string {
  const alphabet = r.pick(ALPHABETS);
  const chars = [...alphabet];
  let out = '';
  for (let i = 0; i < length; i++) out += r.chance(0.8) ? r.pick(chars) : r.pick([...r.pick(ALPHABETS)]);
  return out;
}

export function huge(r: Rng): string {
  const size = r.pick([300, 2_000, 9_000, 30_000, 100_000]);
  return r.chance(0.5)
    ? 'A'.repeat(size)
    : randomText(r, Math.min(size, 5_000)).repeat(Math.ceil(size / 5_000));
}

/** Raw (already percent-encoded, some deliberately broken) fragments. */
export const BAD_PERCENT = [
  '%',
  '%E0%A4%A',
  '%zz',
  '%%',
  '%C3',
  '%ED%A0%80',
  '%FF%FE',
  'a%2',
  '%u0041',
  '%C0%AF',
  '%00%',
];
export const CONTROL = [
  '%00',
  '%0A',
  '%0D%0A',
  '%01',
  '%7F',
  '%1B%5B31m',
  '%09',
  'x%0D%0ASet-Cookie:%20a=b',
  '%0A%0A',
];
export const UNICODE = ['ü', '日本語', '\u{1f600}', '\u202e', '\ufeff', 'İ', 'ß', '\ud800', 'Ａ', '\u0000'];
export const NUMBERS = ['0', '-1', '1e309', 'NaN', '9'.repeat(30), '0x10', '+1', '1.5', 'Infinity', '-0'];
export const INJECTION = [
  '<script>alert(1)</script>',
  `"'><img src=x>`,
  '../../etc/passwd',
  'javascript:alert(1)',
  '$\u007Bjndi:ldap://x}',
  '__proto__',
  'constructor',
  '{"a":1}',
  "' OR 1=1 --",
  '\r\nLocation: http://evil.example/',
  'data:text/html,<script>alert(1)</script>',
];

export const CONSUMERS = '9188040d-6c67-4c5b-b112-36a304b66dad';
export const PUBLIC = SAMPLE_IDS.publicApp;
export const WEB = SAMPLE_IDS.webApp;
export const DAEMON = SAMPLE_IDS.daemonApp;
export const API = SAMPLE_IDS.apiApp;
export const WEB_REDIRECT = 'http://127.0.0.1:3000/auth/callback';
export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
export const USERS = [
  { username: 'alice@contoso.onmicrosoft.com', password: 'alice-password-1' },
  { username: 'bob@contoso.onmicrosoft.com', password: 'bob-password-1' },
];

/** Real artifacts from sign-ins during the run, so broken requests can start from valid ones. */
export interface Loot {
  codes: { code: string; verifier: string; redirectUri: string; clientId: string }[];
  refresh: { token: string; clientId: string }[];
  access: string[];
  appTokens: string[];
  idTokens: string[];
  device: { deviceCode: string; userCode: string }[];
  /** Sign-in transactions with the cookie of the browser they are bound to. */
  tx: { tx: string; cookie: string }[];
  sessions: string[];
  apps: string[];
}

export const loot: Loot = {
  codes: [],
  refresh: [],
  access: [],
  appTokens: [],
  idTokens: [],
  device: [],
  tx: [],
  sessions: [],
  apps: [],
};

export function keep<T>(list: T[], item: T, r: Rng): void {
  if (list.length < 40) list.push(item);
  else list[r.int(list.length)] = item;
}

export function any<T>(r: Rng, list: T[], fallback: T): T {
  return list.length ? r.pick(list) : fallback;
}

export function pkcePair(r: Rng): { verifier: string; challenge: string } {
  const verifier = Buffer.from(Array.from({ length: 32 }, () => r.int(256))).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function randomGuid(r: Rng): string {
  const h = () => r.int(16).toString(16);
  const part = (n: number) => Array.from({ length: n }, h).join('');
  return `${part(8)}-${part(4)}-4${part(3)}-a${part(3)}-${part(12)}`;
}

export function unsignedJwt(r: Rng, alg: string): string {
  const header = b64url(JSON.stringify({ alg, typ: 'JWT', kid: r.chance(0.5) ? 'nope' : undefined }));
  const payload = b64url(
    JSON.stringify({
      aud: r.pick([PUBLIC, WEB, API, 'https://graph.microsoft.com', `api://${API}`]),
      iss: `http://127.0.0.1/${SAMPLE_IDS.contoso}/v2.0`,
      sub: PUBLIC,
      scp: 'User.Read',
      oid: SAMPLE_IDS.alice,
      exp: 4_102_444_800,
      iat: 1_700_000_000,
      uti: 'x',
    }),
  );
  return `${header}.${payload}.${alg === 'none' ? '' : b64url(randomText(r, 20))}`;
}

/** A token with one character changed, cut short, or doubled. */
export function mutate(r: Rng, s: string): string {
  if (!s) return 'x';
  const i = r.int(s.length);
  switch (r.int(5)) {
    case 0:
      return s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    case 1:
      return s.slice(0, i);
    case 2:
      return s + s;
    case 3:
      return `${s} `;
    default:
      return s.split('.').slice(0, 2).join('.');
  }
}

/** A plausible value for a parameter: valid ones, near misses, and other apps' values. */
export function validValue(r: Rng, name: string): string {
  switch (name) {
    case 'client_id':
      return r.pick([
        PUBLIC,
        PUBLIC,
        WEB,
        DAEMON,
        API,
        PUBLIC.toUpperCase(),
        randomGuid(r),
        'not-a-guid',
        any(r, loot.apps, WEB),
      ]);
    case 'redirect_uri':
      return r.pick([
        'http://127.0.0.1',
        `http://127.0.0.1:${1024 + r.int(60_000)}/`,
        `http://localhost:${1024 + r.int(60_000)}`,
        WEB_REDIRECT,
        'http://localhost:3000/auth/callback',
        'https://login.microsoftonline.com/common/oauth2/nativeclient',
        'https://evil.example/cb',
        'myapp://auth',
        'javascript:alert(1)',
        `${WEB_REDIRECT}?x=1`,
        `${WEB_REDIRECT}#frag`,
        'http://user:pw@127.0.0.1/',
        'http://[::1]/',
        'http://127.0.0.1:99999/',
        'http://127.0.0.1/\n',
        'http://127.0.0.1/\t',
        `${WEB_REDIRECT}\r\n`,
        'HTTP://127.0.0.1/',
        '/relative',
      ]);
    case 'response_type':
      return r.pick([
        'code',
        'code',
        'code id_token',
        'id_token',
        'token',
        'id_token token',
        'code token',
        'x',
      ]);
    case 'response_mode':
      return r.pick(['query', 'fragment', 'form_post', 'FORM_POST', 'web_message', 'x']);
    case 'scope':
      return r.pick([
        'openid',
        'openid profile offline_access',
        'User.Read',
        'openid offline_access User.Read',
        'https://graph.microsoft.com/.default',
        `api://${API}/access_as_user offline_access`,
        `api://${API}/.default`,
        'https://outlook.office.com/IMAP.AccessAsUser.All',
        'unknown://x/y',
        'offline_access',
        'https://graph.microsoft.com/',
        '/',
        '/.default',
        'a/'.repeat(200),
        Array.from({ length: 120 }, (_, i) => `s${i}`).join(' '),
      ]);
    case 'state':
    case 'nonce':
      return r.chance(0.5) ? bytes(r, 8).toString('hex') : randomText(r, 1 + r.int(30));
    case 'prompt':
      return r.pick(['login', 'none', 'consent', 'select_account', 'create', 'login consent', 'NONE']);
    case 'login_hint':
    case 'logout_hint':
    case 'username':
    case 'account':
      return r.pick([
        ...USERS.map((u) => u.username),
        'carol@fabrikam.onmicrosoft.com',
        'x@y',
        'ALICE@CONTOSO.ONMICROSOFT.COM ',
      ]);
    case 'domain_hint':
      return r.pick(['contoso.onmicrosoft.com', 'organizations', 'consumers']);
    case 'code_challenge':
      return r.pick([pkcePair(r).challenge, 'short', 'x'.repeat(129), `${'a'.repeat(42)}!`]);
    case 'code_challenge_method':
      return r.pick(['S256', 'plain', 's256', 'RS256']);
    case 'max_age':
      return r.pick(['0', '10', '3600', '-1', 'abc', '999999999999']);
    case 'client_info':
      return r.pick(['1', '0', 'true']);
    case 'grant_type':
      return r.pick([
        'authorization_code',
        'refresh_token',
        'client_credentials',
        'device_code',
        'urn:ietf:params:oauth:grant-type:device_code',
        'urn:ietf:params:oauth:grant-type:jwt-bearer',
        'password',
        'implicit',
        'urn:ietf:params:oauth:grant-type:token-exchange',
      ]);
    case 'client_secret':
      return r.pick([SAMPLE_SECRETS.webApp, SAMPLE_SECRETS.daemonApp, SAMPLE_SECRETS.apiApp, 'wrong-secret']);
    case 'code':
      return r.chance(0.6) && loot.codes.length
        ? r.pick(loot.codes).code
        : `1.${bytes(r, 20).toString('base64url')}`;
    case 'code_verifier':
      return r.chance(0.5) && loot.codes.length ? r.pick(loot.codes).verifier : pkcePair(r).verifier;
    case 'refresh_token':
      return r.chance(0.6) && loot.refresh.length
        ? r.pick(loot.refresh).token
        : `1.${bytes(r, 30).toString('base64url')}`;
    case 'device_code':
      return r.chance(0.6) && loot.device.length
        ? r.pick(loot.device).deviceCode
        : `DAQAB${bytes(r, 20).toString('base64url')}`;
    case 'user_code':
    case 'otc':
      return r.chance(0.5) && loot.device.length ? r.pick(loot.device).userCode : randomText(r, 9);
    case 'client_assertion':
    case 'assertion':
    case 'token':
    case 'id_token_hint':
      return r.pick([
        unsignedJwt(r, 'none'),
        unsignedJwt(r, 'HS256'),
        unsignedJwt(r, 'RS256'),
        any(r, loot.access, 'a.b.c'),
        any(r, loot.appTokens, 'a.b'),
        any(r, loot.idTokens, 'e30.e30.'),
        'eyJhbGciOiJSUzI1NiIsIng1dCI6ImFiYyJ9.e30.sig',
        'not-a-jwt',
      ]);
    case 'client_assertion_type':
      return r.pick([ASSERTION_TYPE, 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer', 'x']);
    case 'requested_token_use':
      return r.pick(['on_behalf_of', 'x']);
    case 'token_type_hint':
      return r.pick(['access_token', 'refresh_token']);
    case 'post_logout_redirect_uri':
      return r.pick([
        'http://127.0.0.1:3000/',
        'http://localhost:3000/',
        'https://evil.example/',
        'javascript:alert(1)',
        'http://127.0.0.1/\n',
      ]);
    case 'tx':
      return r.chance(0.6) && loot.tx.length ? r.pick(loot.tx).tx : bytes(r, 24).toString('base64url');
    case 'password':
      return r.pick([...USERS.map((u) => u.password), 'wrong', '']);
    case 'decision':
      return r.pick(['accept', 'cancel', 'ACCEPT', 'maybe']);
    case 'authorization_endpoint':
      return r.pick([
        'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
        'http://[::1',
        'not a url',
        `http://127.0.0.1/${SAMPLE_IDS.contoso}/oauth2/v2.0/authorize`,
      ]);
    case 'api-version':
      return r.pick(['1.1', '2.0', '']);
    case 'resource':
      return r.pick([
        'https://graph.microsoft.com',
        'https://graph.microsoft.com/',
        '00000003-0000-0000-c000-000000000000',
        'https://management.core.windows.net/',
        `api://${API}`,
        'https://graph.microsoft.com/.default',
        'https://unknown.example/',
      ]);
    case '$top':
      return r.pick(['1', '2', '999', '1000', '0', '-1', 'abc']);
    case '$filter':
      return r.pick([
        "userPrincipalName eq 'alice@contoso.onmicrosoft.com'",
        "mail eq 'o''brien@contoso.onmicrosoft.com'",
        "startswith(displayName,'a')",
        "id eq '",
      ]);
    default:
      return randomText(r, r.int(20));
  }
}

/** A parameter value as sent (already percent-encoded; sometimes deliberately malformed). */
export function fuzzEncoded(r: Rng, name: string): string {
  if (r.chance(0.5)) return pct(validValue(r, name));
  switch (r.int(12)) {
    case 0:
      return '';
    case 1:
      return pct(randomText(r, r.int(40)));
    case 2:
      return pct(huge(r));
    case 3:
      return r.pick(BAD_PERCENT);
    case 4:
      return r.pick(CONTROL);
    case 5:
      return pct(r.pick(UNICODE));
    case 6:
      return r.pick(NUMBERS);
    case 7:
      return pct(r.pick(INJECTION));
    case 8:
      return pct(validValue(r, name)) + r.pick(BAD_PERCENT);
    case 9:
      return pct(mutate(r, validValue(r, name)));
    case 10:
      return pct(validValue(r, name)).replace(/%20/g, '+');
    default:
      return pct(validValue(r, r.pick(ALL_PARAMS)));
  }
}

export const AUTHORIZE_PARAMS = [
  'client_id',
  'redirect_uri',
  'response_type',
  'response_mode',
  'scope',
  'state',
  'nonce',
  'prompt',
  'login_hint',
  'domain_hint',
  'code_challenge',
  'code_challenge_method',
  'max_age',
  'client_info',
];
export const TOKEN_PARAMS = [
  'grant_type',
  'client_id',
  'client_secret',
  'code',
  'redirect_uri',
  'code_verifier',
  'refresh_token',
  'scope',
  'device_code',
  'client_assertion',
  'client_assertion_type',
  'assertion',
  'requested_token_use',
  'client_info',
];
export const ALL_PARAMS = [
  ...new Set([...AUTHORIZE_PARAMS, ...TOKEN_PARAMS, 'tx', 'username', 'password', 'token']),
];

/** `a=1&b=2…` with dropped, duplicated, array-style, unnamed and foreign parameters. */
export function paramString(r: Rng, names: string[]): string {
  const parts: string[] = [];
  const required = r.chance(0.3);
  for (const n of names) if (required || r.chance(0.7)) parts.push(`${n}=${fuzzEncoded(r, n)}`);
  if (names.length && r.chance(0.1)) {
    const n = r.pick(names);
    parts.push(`${n}=${fuzzEncoded(r, n)}`);
  }
  if (names.length && r.chance(0.05)) {
    const n = r.pick(names);
    parts.push(`${n}[]=${fuzzEncoded(r, n)}`, `${n}[]=${fuzzEncoded(r, n)}`, `${n}[0]=x`);
  }
  if (r.chance(0.1)) parts.push(`${pct(randomText(r, 1 + r.int(10)))}=${fuzzEncoded(r, 'x')}`);
  if (r.chance(0.05)) parts.push(r.pick(['&&&', '=', '==x', 'novalue', '%=%', ';', '&=&']));
  return (r.chance(0.3) ? r.shuffle(parts) : parts).join('&');
}

export function tenantSegment(r: Rng): string {
  return r.pick([
    'common',
    'common',
    'organizations',
    'consumers',
    SAMPLE_IDS.contoso,
    SAMPLE_IDS.fabrikam,
    SAMPLE_IDS.contoso.toUpperCase(),
    'contoso.onmicrosoft.com',
    'FABRIKAM.onmicrosoft.com',
    CONSUMERS,
    randomGuid(r),
    'unknown.example.com',
    pct(randomText(r, 1 + r.int(20))),
    '%E0%A4%A',
    'a'.repeat(300),
    '..',
    '.',
    '%2F',
    '%2e%2e',
    pct('ü'),
    '%00',
    'common%20',
  ]);
}
