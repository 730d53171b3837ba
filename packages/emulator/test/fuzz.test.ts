/**
 * Fuzz test: more than 10,000 malformed, random and almost-valid requests against every route of the emulator
 * (running in a child process of its own, so its memory can be measured alone). Every request is derived
 * from FUZZ_SEED and its index, so a failure names what to rerun: `FUZZ_SEED=<seed> node --import tsx --test
 * packages/emulator/test/fuzz.test.ts`.
 *
 * The emulator runs with no scenario switch that produces a 5xx, so any 5xx, anything passed to its `log`
 * option (internal errors only), a crash, a hang or a memory leak is a bug.
 *
 * Knobs for reproducing a failure: FUZZ_SEED, FUZZ_ACTIONS (how many), FUZZ_CONCURRENCY (1 runs the actions
 * in order), FUZZ_DEBUG=1 (what is in flight every 5 s) or 2 (every request, redacted), FUZZ_SKIP=i,j
 * (leave actions out, to bisect).
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Pool } from 'undici';
import { SAMPLE_IDS, SAMPLE_SECRETS } from '../src/index.ts';
import { type ChildMemory, type EmulatorProcess, startEmulatorProcess } from './support/emulator-process.ts';
import { txCookieJar } from './support/tx-cookies.ts';

const SEED = Number(process.env['FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 31)) >>> 0 || 1;
/** Actions to run; one action is one request, or a few (a sign-in flow, a raw pipelined pair). */
const ACTIONS = Number(process.env['FUZZ_ACTIONS'] ?? 16_000);
const WARMUP_ACTIONS = 1_500;
const CONCURRENCY = Number(process.env['FUZZ_CONCURRENCY'] ?? 32);
const MIN_REQUESTS = 10_000;
/** Hard bounds: no more requests than this, and no new action once the time budget is spent. */
const MAX_REQUESTS = 30_000;
// A safety bound so a broken run ends, not a speed target: a normal run takes ~15 s.
const TIME_BUDGET_MS = 240_000;
const RSS_GROWTH_LIMIT = 64 * 1024 * 1024;
const HEAP_GROWTH_LIMIT = 32 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------
// Seeded randomness: one generator per action, derived from the seed and the action's index.

class Rng {
  constructor(private state: number) {}
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}

/** Random bytes from the action's generator (never from crypto: the run must be reproducible). */
function bytes(r: Rng, n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, () => r.int(256)));
}

function rngFor(index: number): Rng {
  return new Rng((SEED ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
}

// ---------------------------------------------------------------------------------------------------------
// Values.

/** Percent-encodes UTF-8 (lone surrogates become U+FFFD, as a browser would send them). */
function pct(s: string): string {
  return encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8'));
}

function b64url(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64url');
}

const ALPHABETS = [
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  ' !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
  '\u0000\u0001\u0007\b\t\n\v\f\r\u001b\u007f',
  'äöüßéèñçøåæœİıЖжλπ中文日本語한국어עברيةالعربية',
  '\u200b\u200e\u202e\ufeff\ufffd\u{1f600}\u{1f4a9}\ud800\udfff',
];

function randomText(r: Rng, length: number): string {
  const alphabet = r.pick(ALPHABETS);
  const chars = [...alphabet];
  let out = '';
  for (let i = 0; i < length; i++) out += r.chance(0.8) ? r.pick(chars) : r.pick([...r.pick(ALPHABETS)]);
  return out;
}

function huge(r: Rng): string {
  const size = r.pick([300, 2_000, 9_000, 30_000, 100_000]);
  return r.chance(0.5)
    ? 'A'.repeat(size)
    : randomText(r, Math.min(size, 5_000)).repeat(Math.ceil(size / 5_000));
}

/** Raw (already percent-encoded, some deliberately broken) fragments. */
const BAD_PERCENT = [
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
const CONTROL = [
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
const UNICODE = ['ü', '日本語', '\u{1f600}', '\u202e', '\ufeff', 'İ', 'ß', '\ud800', 'Ａ', '\u0000'];
const NUMBERS = ['0', '-1', '1e309', 'NaN', '9'.repeat(30), '0x10', '+1', '1.5', 'Infinity', '-0'];
const INJECTION = [
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

const CONSUMERS = '9188040d-6c67-4c5b-b112-36a304b66dad';
const PUBLIC = SAMPLE_IDS.publicApp;
const WEB = SAMPLE_IDS.webApp;
const DAEMON = SAMPLE_IDS.daemonApp;
const API = SAMPLE_IDS.apiApp;
const WEB_REDIRECT = 'http://127.0.0.1:3000/auth/callback';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const USERS = [
  { username: 'alice@contoso.onmicrosoft.com', password: 'alice-password-1' },
  { username: 'bob@contoso.onmicrosoft.com', password: 'bob-password-1' },
];

/** Real artifacts from sign-ins during the run, so broken requests can start from valid ones. */
interface Loot {
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

const loot: Loot = {
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

function keep<T>(list: T[], item: T, r: Rng): void {
  if (list.length < 40) list.push(item);
  else list[r.int(list.length)] = item;
}

function any<T>(r: Rng, list: T[], fallback: T): T {
  return list.length ? r.pick(list) : fallback;
}

function pkcePair(r: Rng): { verifier: string; challenge: string } {
  const verifier = Buffer.from(Array.from({ length: 32 }, () => r.int(256))).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function randomGuid(r: Rng): string {
  const h = () => r.int(16).toString(16);
  const part = (n: number) => Array.from({ length: n }, h).join('');
  return `${part(8)}-${part(4)}-4${part(3)}-a${part(3)}-${part(12)}`;
}

function unsignedJwt(r: Rng, alg: string): string {
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
function mutate(r: Rng, s: string): string {
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
function validValue(r: Rng, name: string): string {
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
function fuzzEncoded(r: Rng, name: string): string {
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

const AUTHORIZE_PARAMS = [
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
const TOKEN_PARAMS = [
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
const ALL_PARAMS = [
  ...new Set([...AUTHORIZE_PARAMS, ...TOKEN_PARAMS, 'tx', 'username', 'password', 'token']),
];

/** `a=1&b=2…` with dropped, duplicated, array-style, unnamed and foreign parameters. */
function paramString(r: Rng, names: string[]): string {
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

function tenantSegment(r: Rng): string {
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

// ---------------------------------------------------------------------------------------------------------
// Requests.

interface HttpRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Oversized or broken on purpose: the server may close the connection instead of answering. */
  mayReset?: boolean;
}

interface Endpoint {
  label: string;
  path: (tenant: string) => string;
  methods: string[];
  params: string[];
  auth?: boolean;
}

const ENDPOINTS: Endpoint[] = [
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

const METHODS = [
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
const FORM = 'application/x-www-form-urlencoded';
const CONTENT_TYPES = [
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

function authorizationHeader(r: Rng): { value: string; mayReset?: boolean } {
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

function cookieHeader(r: Rng): string {
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

function extraHeaders(r: Rng, headers: Record<string, string>, auth: boolean): boolean {
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
function endpointRequest(r: Rng): HttpRequest {
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

function fuzzJson(r: Rng, depth = 0): unknown {
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
function scenarioBody(r: Rng): unknown {
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

function adminRequest(r: Rng, index: number): HttpRequest {
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

// ---------------------------------------------------------------------------------------------------------
// Sending, and what the run saw.

interface Offence {
  index: number;
  label: string;
  what: string;
}

const stats = {
  requests: 0,
  raw: 0,
  byStatus: new Map<number, number>(),
  byLabel: new Map<string, number>(),
  expectedResets: 0,
  fallbacksToRaw: 0,
  fiveHundreds: [] as Offence[],
  clientErrors: [] as Offence[],
  validFlowFailures: [] as Offence[],
};

/** Actions under way, by index, with what they are sending (for FUZZ_DEBUG). */
const inFlight = new Map<number, string>();

/** Never show a token, code, secret or long opaque value in a failure message. */
function redact(s: string): string {
  return s
    .replace(/eyJ[\w-]*\.[\w-]*\.?[\w-]*/g, '<jwt>')
    .replace(/\b1\.[\w-]{20,}/g, '<code-or-refresh-token>')
    .replace(/DAQAB[\w-]+/g, '<device-code>')
    .replace(/tl-sample-[\w-]+/g, '<secret>')
    .replace(/tokenloop_sso=[^;\s&]+/g, 'tokenloop_sso=<session>')
    .replace(/[A-Za-z0-9_\-+/=%.]{64,}/g, (m) => `<${m.length} chars>`)
    .replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .slice(0, 300);
}

function describeRequest(req: HttpRequest): string {
  const type = req.headers['content-type'];
  return `${req.method.slice(0, 12)} ${req.path}${type !== undefined ? ` [content-type: ${type}]` : ''}${req.body !== undefined ? ` body(${req.body.length}): ${req.body}` : ''}`;
}

function count(label: string, status: number | undefined): void {
  stats.requests++;
  stats.byLabel.set(label, (stats.byLabel.get(label) ?? 0) + 1);
  if (status !== undefined) stats.byStatus.set(status, (stats.byStatus.get(status) ?? 0) + 1);
}

let pool: Pool;
let emulator: EmulatorProcess;
let port = 0;

interface Answer {
  status: number | undefined;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * Whether undici would refuse the request (it validates method, path and header values). Such requests go out
 * on a raw socket instead: handing them to undici leaves its pool stuck (undici 7.30).
 */
function undiciRefuses(req: HttpRequest): boolean {
  return (
    !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(req.method) ||
    /[^\u0021-\u00ff]/.test(req.path) ||
    Object.values(req.headers).some((v) => /[^\t\u0020-\u007e\u0080-\u00ff]/.test(v))
  );
}

function sendRaw(index: number, label: string, req: HttpRequest): Promise<Answer> {
  stats.fallbacksToRaw++;
  const head = Object.entries(req.headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const body = req.body ?? '';
  const length = req.body !== undefined ? `content-length: ${Buffer.byteLength(body)}\r\n` : '';
  return raw(
    index,
    label,
    [
      Buffer.from(
        `${req.method} ${req.path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n${head}${length}\r\n${body}`,
        'utf8',
      ),
    ],
    { expectResponse: true, mayReset: !!req.mayReset, what: describeRequest(req) },
  );
}

async function send(index: number, label: string, req: HttpRequest): Promise<Answer> {
  if (inFlight.has(index)) inFlight.set(index, redact(describeRequest(req)).slice(0, 150));
  if (undiciRefuses(req)) return sendRaw(index, label, req);
  try {
    const res = await pool.request({
      method: req.method,
      path: req.path,
      headers: req.headers,
      ...(req.body !== undefined ? { body: req.body } : {}),
    });
    const body = await res.body.text();
    if (process.env['FUZZ_DEBUG'] === '2')
      console.log(`#${index} ${res.statusCode} ${redact(describeRequest(req)).slice(0, 200)}`);
    count(label, res.statusCode);
    if (res.statusCode >= 500)
      stats.fiveHundreds.push({
        index,
        label,
        what: `${res.statusCode} for ${redact(describeRequest(req))}`,
      });
    return { status: res.statusCode, headers: res.headers, body };
  } catch (err) {
    const code = (err as { code?: string }).code ?? (err as Error).name;
    count(label, undefined);
    if (req.mayReset) stats.expectedResets++;
    else stats.clientErrors.push({ index, label, what: `${code} for ${redact(describeRequest(req))}` });
    return { status: undefined, headers: {}, body: '' };
  }
}

interface RawOptions {
  /** A complete request: no answer within 10 s is a hang. */
  expectResponse: boolean;
  /** Close the socket this long after writing (a truncated or aborted request). */
  closeAfterMs?: number;
  mayReset?: boolean;
  what: string;
}

/** Writes bytes on a fresh connection and reads whatever comes back; checks every status line. */
function raw(index: number, label: string, chunks: (string | Buffer)[], o: RawOptions): Promise<Answer> {
  stats.raw++;
  if (inFlight.has(index)) inFlight.set(index, `raw ${redact(o.what).slice(0, 100)}`);
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(received).toString('latin1');
      const statuses = [...text.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));
      count(label, statuses[0]);
      for (const s of statuses.slice(1)) stats.byStatus.set(s, (stats.byStatus.get(s) ?? 0) + 1);
      const bad = statuses.filter((s) => s >= 500);
      if (bad.length)
        stats.fiveHundreds.push({ index, label, what: `${bad.join(',')} for raw ${redact(o.what)}` });
      if (o.expectResponse && statuses.length === 0) {
        if (o.mayReset) stats.expectedResets++;
        else
          stats.clientErrors.push({
            index,
            label,
            what: `${error ?? 'no response'} for raw ${redact(o.what)}`,
          });
      }
      if (process.env['FUZZ_DEBUG'] === '2')
        console.log(`#${index} raw ${statuses.join(',')} ${redact(o.what).slice(0, 200)}`);
      resolve({ status: statuses[0], headers: {}, body: text });
    };
    const timer = setTimeout(() => finish('no response within 10 s'), 10_000);
    socket.on('data', (d: Buffer) => {
      if (size < 512 * 1024) received.push(d);
      size += d.length;
    });
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // The server may close while a too-large request is still being written; what it answered counts.
      if (!o.mayReset && o.expectResponse && received.length === 0) finish(err.code);
      else finish();
    });
    socket.on('connect', () => {
      for (const c of chunks) socket.write(c);
      if (o.closeAfterMs !== undefined) setTimeout(() => finish(), o.closeAfterMs);
    });
  });
}

function rawRequest(r: Rng, index: number): Promise<unknown> {
  const t = tenantSegment(r);
  const form = `client_id=${PUBLIC}&grant_type=authorization_code&code=x`;
  const label = 'raw';
  const go = (what: string, chunks: (string | Buffer)[], o: Omit<RawOptions, 'what'>) =>
    raw(index, label, chunks, { ...o, what });
  switch (r.int(22)) {
    case 0: {
      const line = `GET /${t}/oauth2/v2.0/authorize?client_id=${PUBLIC}&scope=openid HTTP/1.1\r\nhost: x\r\n\r\n`;
      return go('truncated request line', [line.slice(0, 1 + r.int(line.length - 2))], {
        expectResponse: false,
        closeAfterMs: r.int(30),
      });
    }
    case 1:
      return go(
        'truncated headers',
        [`POST /${t}/oauth2/v2.0/token HTTP/1.1\r\nhost: x\r\ncontent-type: ${FORM}\r\ncontent-le`],
        {
          expectResponse: false,
          closeAfterMs: r.int(50),
        },
      );
    case 2:
      return go(
        'body shorter than content-length',
        [
          `POST /${t}/oauth2/v2.0/${r.pick(['token', 'devicecode', 'introspect', 'authorize', 'logout'])} HTTP/1.1\r\nhost: x\r\ncontent-type: ${FORM}\r\ncontent-length: ${1000 + r.int(100_000)}\r\n\r\n${form}`,
        ],
        {
          expectResponse: false,
          closeAfterMs: r.int(80),
        },
      );
    case 3:
      return go(
        'ui post with truncated body',
        [
          `POST ${r.pick(['/_ui/login', '/_ui/consent', '/_ui/select-account', '/_ui/device-code', '/_ui/device-confirm', '/_ui/sign-out', '/_emulator/api/users'])} HTTP/1.1\r\nhost: x\r\ncontent-type: ${FORM}\r\ncontent-length: 500\r\n\r\ntx=abc&user`,
        ],
        {
          expectResponse: false,
          closeAfterMs: r.int(80),
        },
      );
    case 4:
      return go(
        'invalid chunked body',
        [
          `POST /${t}/oauth2/v2.0/token HTTP/1.1\r\nhost: x\r\ncontent-type: ${FORM}\r\ntransfer-encoding: chunked\r\n\r\n${r.pick(['ZZZ\r\nabc\r\n', '5\r\nabc\r\n0\r\n\r\n', 'fffffffffffffffff\r\n', '3\r\nabc\r\nX\r\n'])}`,
        ],
        {
          expectResponse: true,
          mayReset: true,
        },
      );
    case 5:
      return go(
        'valid chunked body',
        [
          `POST /${t}/oauth2/v2.0/token HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: ${FORM}\r\ntransfer-encoding: chunked\r\n\r\n${form.length.toString(16)}\r\n${form}\r\n0\r\n\r\n`,
        ],
        {
          expectResponse: true,
        },
      );
    case 6: {
      const path = r.pick([
        `/${t}/oauth2/v2.0/authorize?client_id=\u0000`,
        '/ü/v2.0/.well-known/openid-configuration',
        '/common/oauth2/v2.0/authorize?state=日本',
        '/com mon/v2.0/.well-known/openid-configuration',
        '/common\t/discovery/keys',
      ]);
      return go(
        'raw control or non-ASCII bytes in the path',
        [Buffer.from(`GET ${path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`, 'utf8')],
        {
          expectResponse: true,
        },
      );
    }
    case 7: {
      const path = r.pick([
        '//',
        '/../',
        '/./common/v2.0/.well-known/openid-configuration',
        '/common/../_emulator/',
        `/${'a'.repeat(8_000)}`,
        `/${'a/'.repeat(3_000)}`,
        '/%2e%2e/%2e%2e/etc/passwd',
        '/_emulator/../../etc/passwd',
        '//common//oauth2//v2.0//token',
        '/common/v2.0/.well-known/openid-configuration/',
        '/common/v2.0/.well-known/openid-configuration?',
        '/common/v2.0/.well-known/openid-configuration#x',
        '*',
        'http://127.0.0.1/common/discovery/keys',
        `/${'%'.repeat(50)}`,
        '/?%',
      ]);
      return go('weird path', [`GET ${path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`], {
        expectResponse: true,
      });
    }
    case 8: {
      const method = r.pick([
        'get',
        'FOO',
        'PROPFIND',
        'M-SEARCH',
        'CONNECT',
        'G\u0000T',
        'GET GET',
        '',
        'PRI',
      ]);
      return go(
        `method ${method}`,
        [
          Buffer.from(
            `${method} /${t}/oauth2/v2.0/token HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`,
            'utf8',
          ),
        ],
        {
          expectResponse: true,
          mayReset: method === 'CONNECT' || method === 'PRI',
        },
      );
    }
    case 9: {
      const version = r.pick(['HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'HTTP/1', 'HTTQ/1.1', '']);
      return go(
        `version ${version}`,
        [`GET /common/discovery/keys ${version}\r\nconnection: close\r\n\r\n`],
        {
          expectResponse: true,
          mayReset: version === '',
        },
      );
    }
    case 10: {
      const header = r.pick([
        'no colon here',
        'x-a: \u0000',
        ' folded: value\r\n continued',
        'content-length: 5\r\ncontent-length: 6',
        'content-length: 5\r\ntransfer-encoding: chunked',
        'content-length: -1',
        'content-length: abc',
        'transfer-encoding: gzip',
        `x-big: ${'h'.repeat(20_000)}`,
        Array.from({ length: 150 }, (_, i) => `x-h${i}: ${i}`).join('\r\n'),
        'host: a\r\nhost: b',
        `authorization: Bearer ${'A'.repeat(1_048_576)}`,
        `cookie: ${'c=1; '.repeat(5_000)}`,
        'expect: 100-continue',
        'expect: 999-nope',
      ]);
      return go(
        'malformed headers',
        [
          Buffer.from(
            `POST /${t}/oauth2/v2.0/token HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: ${FORM}\r\n${header}\r\ncontent-length: ${form.length}\r\n\r\n${form}`,
            'utf8',
          ),
        ],
        {
          expectResponse: true,
          mayReset: true,
        },
      );
    }
    case 11:
      return go(
        'two pipelined requests',
        [
          `GET /common/discovery/keys HTTP/1.1\r\nhost: x\r\n\r\nPOST /${t}/oauth2/v2.0/token HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: ${FORM}\r\ncontent-length: ${form.length}\r\n\r\n${form}`,
        ],
        { expectResponse: true },
      );
    case 12:
      return go('random bytes', [bytes(r, 1 + r.int(2_000))], {
        expectResponse: false,
        closeAfterMs: 20 + r.int(50),
      });
    case 13:
      return go(
        'request split across writes',
        [
          `POST /${t}/oauth2/v2.0/devicecode HTTP/1.1\r\nho`,
          `st: x\r\nconnection: close\r\ncontent-type: ${FORM}\r\ncontent-length: ${`client_id=${PUBLIC}&scope=openid`.length}\r\n\r\nclient_id=${PUBLIC}`,
          '&scope=openid',
        ],
        { expectResponse: true },
      );
    case 14:
      return go(
        'oversized declared body',
        [
          `POST /${t}/oauth2/v2.0/token HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: ${FORM}\r\ncontent-length: ${64 * 1024 + 1 + r.int(1e9)}\r\n\r\n${form}`,
        ],
        {
          expectResponse: true,
          mayReset: true,
        },
      );
    case 15:
      return go(
        'oversized streamed body',
        [
          `POST /_ui/login HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: ${FORM}\r\ntransfer-encoding: chunked\r\n\r\n`,
          ...Array.from({ length: 5 }, () => `4000\r\n${'a'.repeat(0x4000)}\r\n`),
          '0\r\n\r\n',
        ],
        {
          expectResponse: true,
          mayReset: true,
        },
      );
    case 16: {
      // Aborted mid-body after a valid start on every body-reading route.
      const target = r.pick([
        '/_ui/login',
        '/_ui/consent',
        '/_ui/device-code',
        `/${t}/oauth2/v2.0/authorize`,
        `/${t}/oauth2/v2.0/logout`,
        '/_emulator/api/apps',
      ]);
      return go(
        'aborted chunked body',
        [
          `POST ${target} HTTP/1.1\r\nhost: x\r\ncontent-type: ${FORM}\r\ntransfer-encoding: chunked\r\n\r\n10\r\n0123456789`,
        ],
        {
          expectResponse: false,
          closeAfterMs: r.int(60),
        },
      );
    }
    case 17:
      return go(
        'HTTP/1.0 without host',
        [`GET /common/v2.0/.well-known/openid-configuration HTTP/1.0\r\n\r\n`],
        { expectResponse: true },
      );
    case 18:
      return go('headers only, then silence', [`GET /common/discovery/keys HTTP/1.1\r\nhost: x\r\n`], {
        expectResponse: false,
        closeAfterMs: 50 + r.int(100),
      });
    case 19:
      return go(
        'keep-alive then half a second request',
        [`GET /common/discovery/keys HTTP/1.1\r\nhost: x\r\n\r\nGET /common/oauth2/v2.0/auth`],
        {
          expectResponse: false,
          closeAfterMs: 100,
        },
      );
    case 20:
      return go(
        'absolute-form admin',
        [
          `GET http://evil.example/_emulator/api/users HTTP/1.1\r\nhost: evil.example\r\nconnection: close\r\n\r\n`,
        ],
        { expectResponse: true },
      );
    default:
      return go(
        'OPTIONS preflight',
        [
          `OPTIONS /${t}/oauth2/v2.0/token HTTP/1.1\r\nhost: x\r\nconnection: close\r\norigin: http://evil.example\r\naccess-control-request-method: POST\r\n\r\n`,
        ],
        {
          expectResponse: true,
        },
      );
  }
}

// ---------------------------------------------------------------------------------------------------------
// Valid sign-ins (to collect real codes, tokens, sessions) and valid requests with one field broken.

function formBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

function post(
  path: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): HttpRequest {
  return { method: 'POST', path, headers: { 'content-type': FORM, ...headers }, body: formBody(fields) };
}

function field(html: string, name: string): string | undefined {
  return new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
}

function locationParams(a: Answer): URLSearchParams | undefined {
  const location = a.headers['location'];
  if (typeof location !== 'string') return undefined;
  const url = new URL(location);
  return url.hash ? new URLSearchParams(url.hash.slice(1)) : url.searchParams;
}

function setCookiesOf(a: Answer): string[] {
  const raw = a.headers['set-cookie'];
  return Array.isArray(raw) ? raw : raw ? [raw] : [];
}

/** The Cookie header for the transaction cookie a sign-in page set (the page posts need it). */
function txCookieOf(a: Answer): string | undefined {
  const jar = txCookieJar();
  jar.remember(setCookiesOf(a));
  return jar.header();
}

function sessionOf(a: Answer): string | undefined {
  for (const c of setCookiesOf(a)) {
    const m = /^tokenloop_sso=([^;]+)/.exec(c);
    if (m?.[1]) return m[1];
  }
  return undefined;
}

/** A full sign-in: authorize → login page → (consent) → code; sometimes redeemed, plus a device code. */
async function validFlow(r: Rng, index: number): Promise<void> {
  const label = 'valid-flow';
  const failed = (what: string): void => {
    stats.validFlowFailures.push({ index, label, what });
  };
  const web = r.chance(0.3);
  const clientId = web ? WEB : PUBLIC;
  const redirectUri = web ? WEB_REDIRECT : `http://127.0.0.1:${1024 + r.int(60_000)}/`;
  const { verifier, challenge } = pkcePair(r);
  const user = r.pick(USERS);
  const query = formBody({
    client_id: clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid profile offline_access User.Read',
    state: 'st',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    prompt: 'login',
  });
  const page = await send(index, label, {
    method: 'GET',
    path: `/organizations/oauth2/v2.0/authorize?${query}`,
    headers: {},
  });
  const tx = field(page.body, 'tx');
  const cookie = txCookieOf(page);
  if (page.status !== 200 || !tx || !cookie)
    return failed(`authorize answered ${page.status} without a login form and its cookie`);
  keep(loot.tx, { tx, cookie }, r);
  let answer = await send(
    index,
    label,
    post('/_ui/login', { tx, username: user.username, password: user.password }, { cookie }),
  );
  if (answer.status === 200 && field(answer.body, 'tx')) {
    answer = await send(
      index,
      label,
      post('/_ui/consent', { tx: field(answer.body, 'tx')!, decision: 'accept' }, { cookie }),
    );
  }
  const session = sessionOf(answer);
  if (session) keep(loot.sessions, session, r);
  const code = locationParams(answer)?.get('code');
  if (answer.status !== 302 || !code) return failed(`sign-in answered ${answer.status} without a code`);
  if (r.chance(0.4)) {
    keep(loot.codes, { code, verifier, redirectUri, clientId }, r);
  } else {
    const tokens = await send(
      index,
      label,
      post(`/organizations/oauth2/v2.0/token`, {
        grant_type: 'authorization_code',
        client_id: clientId,
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier,
        ...(web ? { client_secret: SAMPLE_SECRETS.webApp } : {}),
      }),
    );
    const body = JSON.parse(tokens.body || '{}') as Record<string, string>;
    if (tokens.status !== 200 || !body['access_token'])
      return failed(`code redemption answered ${tokens.status}`);
    keep(loot.access, body['access_token'], r);
    if (body['refresh_token']) keep(loot.refresh, { token: body['refresh_token'], clientId }, r);
    if (body['id_token']) keep(loot.idTokens, body['id_token'], r);
  }
  if (r.chance(0.4)) {
    const device = await send(
      index,
      label,
      post(`/${SAMPLE_IDS.contoso}/oauth2/v2.0/devicecode`, {
        client_id: PUBLIC,
        scope: 'User.Read offline_access',
      }),
    );
    const body = JSON.parse(device.body || '{}') as Record<string, string>;
    if (device.status !== 200 || !body['device_code']) return failed(`devicecode answered ${device.status}`);
    keep(loot.device, { deviceCode: body['device_code'], userCode: body['user_code']! }, r);
  }
  if (r.chance(0.3)) {
    const cc = await send(
      index,
      label,
      post(`/${SAMPLE_IDS.contoso}/oauth2/v2.0/token`, {
        grant_type: 'client_credentials',
        client_id: DAEMON,
        client_secret: SAMPLE_SECRETS.daemonApp,
        scope: 'https://graph.microsoft.com/.default',
      }),
    );
    const body = JSON.parse(cc.body || '{}') as Record<string, string>;
    if (cc.status !== 200 || !body['access_token']) return failed(`client credentials answered ${cc.status}`);
    keep(loot.appTokens, body['access_token'], r);
  }
}

/** A request built from real artifacts with exactly one thing wrong. */
function brokenValidRequest(r: Rng): HttpRequest {
  const code = any(r, loot.codes, {
    code: 'x',
    verifier: pkcePair(r).verifier,
    redirectUri: WEB_REDIRECT,
    clientId: PUBLIC,
  });
  const refresh = any(r, loot.refresh, { token: 'x', clientId: PUBLIC });
  const access = any(r, loot.access, 'a.b.c');
  const tokenPath = `/${r.pick(['organizations', 'common', SAMPLE_IDS.contoso])}/oauth2/v2.0/token`;
  const redeem = (fields: Record<string, string>) =>
    post(tokenPath, {
      grant_type: 'authorization_code',
      client_id: code.clientId,
      code: code.code,
      redirect_uri: code.redirectUri,
      code_verifier: code.verifier,
      ...(code.clientId === WEB ? { client_secret: SAMPLE_SECRETS.webApp } : {}),
      ...fields,
    });
  const refreshWith = (fields: Record<string, string>) =>
    post(tokenPath, {
      grant_type: 'refresh_token',
      client_id: refresh.clientId,
      refresh_token: refresh.token,
      ...(refresh.clientId === WEB ? { client_secret: SAMPLE_SECRETS.webApp } : {}),
      ...fields,
    });
  const bearer = (token: string, path = '/v1.0/me'): HttpRequest => ({
    method: 'GET',
    path,
    headers: { authorization: `Bearer ${token}` },
  });
  const [h, p] = access.split('.');
  // A page post for a collected transaction, half of them from its browser (with its cookie).
  const uiPost = (path: string, fields: (tx: string) => Record<string, string>): HttpRequest => {
    const t = any(r, loot.tx, { tx: 'x', cookie: '' });
    return post(path, fields(t.tx), r.chance(0.5) && t.cookie ? { cookie: t.cookie } : {});
  };
  switch (r.int(24)) {
    case 0:
      return redeem({ code_verifier: pkcePair(r).verifier });
    case 1:
      return redeem({ code_verifier: mutate(r, code.verifier) });
    case 2:
      return redeem({ client_id: WEB, client_secret: SAMPLE_SECRETS.webApp });
    case 3:
      return redeem({ redirect_uri: `${code.redirectUri}x` });
    case 4:
      return redeem({ code: mutate(r, code.code) });
    case 5:
      return redeem({ client_secret: 'wrong-secret' });
    case 6:
      return refreshWith({ client_id: WEB, client_secret: SAMPLE_SECRETS.webApp });
    case 7:
      return refreshWith({ refresh_token: mutate(r, refresh.token) });
    case 8:
      return refreshWith({
        scope: r.pick(['unknown://x/y', `api://${API}/nope`, 'https://outlook.office.com/SMTP.Send', '']),
      });
    case 9:
      return refreshWith({ client_secret: SAMPLE_SECRETS.webApp });
    case 10:
      return post(tokenPath, {
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        client_id: r.pick([WEB, DAEMON, API]),
        device_code: any(r, loot.device, { deviceCode: 'x', userCode: 'y' }).deviceCode,
      });
    case 11:
      return bearer(mutate(r, access));
    case 12:
      return bearer(`${h}.${p}.`);
    case 13:
      return bearer(`${b64url('{"alg":"none","typ":"JWT"}')}.${p}.`);
    case 14:
      return bearer(any(r, loot.appTokens, 'x'), r.pick(['/v1.0/me', '/oidc/userinfo']));
    case 15:
      return post(`/${SAMPLE_IDS.contoso}/oauth2/v2.0/introspect`, {
        client_id: WEB,
        client_secret: r.chance(0.5) ? 'wrong-secret' : SAMPLE_SECRETS.webApp,
        token: r.chance(0.5) ? access : mutate(r, access),
      });
    case 16:
      return post(tokenPath, {
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        requested_token_use: 'on_behalf_of',
        client_id: API,
        client_secret: SAMPLE_SECRETS.apiApp,
        assertion: r.chance(0.5) ? access : `${b64url('{"alg":"none"}')}.${p}.`,
        scope: 'https://graph.microsoft.com/User.Read',
      });
    case 17:
      return uiPost('/_ui/login', (tx) => ({
        tx,
        username: USERS[0]!.username,
        password: r.pick(['wrong', `${USERS[0]!.password}\u0000`, '']),
      }));
    case 18:
      return uiPost('/_ui/consent', (tx) => ({ tx, decision: r.pick(['maybe', 'cancel', '']) }));
    case 19:
      return uiPost('/_ui/select-account', (tx) => ({
        tx,
        account: r.pick(['carol@fabrikam.onmicrosoft.com', '', 'x']),
      }));
    case 20: {
      const q = formBody({
        client_id: PUBLIC,
        redirect_uri: 'http://127.0.0.1/',
        response_type: 'code',
        scope: 'openid',
        prompt: 'none',
        login_hint: r.pick(['bob@contoso.onmicrosoft.com', 'nobody@x']),
      });
      return {
        method: 'GET',
        path: `/common/oauth2/v2.0/authorize?${q}`,
        headers: { cookie: `tokenloop_sso=${any(r, loot.sessions, 'x')}` },
      };
    }
    case 21: {
      const q = formBody({
        id_token_hint: any(r, loot.idTokens, 'x'),
        post_logout_redirect_uri: r.pick(['https://evil.example/', 'http://127.0.0.1:3000/']),
        state: 's',
      });
      return { method: 'GET', path: `/common/oauth2/v2.0/logout?${q}`, headers: {} };
    }
    case 22:
      return uiPost('/_ui/device-code', (tx) => ({
        tx,
        user_code: `${any(r, loot.device, { deviceCode: 'x', userCode: 'ABC' }).userCode}-`,
      }));
    default: {
      const q = formBody({
        client_id: PUBLIC,
        redirect_uri: 'http://127.0.0.1/\n',
        response_type: r.pick(['code', 'bogus']),
        response_mode: r.pick(['fragment', 'query', 'form_post']),
        scope: 'openid',
        state: 's',
      });
      return { method: 'GET', path: `/common/oauth2/v2.0/authorize?${q}`, headers: {} };
    }
  }
}

async function runAction(index: number): Promise<void> {
  const r = rngFor(index);
  const roll = r.next();
  if (roll < 0.64) await send(index, 'endpoint', endpointRequest(r));
  else if (roll < 0.71) await send(index, 'admin', adminRequest(r, index));
  else if (roll < 0.83) await rawRequest(r, index);
  else if (roll < 0.97) await send(index, 'broken-valid', brokenValidRequest(r));
  else await validFlow(r, index);
}

async function runActions(from: number, to: number, deadline: number): Promise<void> {
  let next = from;
  const progress = process.env['FUZZ_DEBUG']
    ? setInterval(
        () =>
          console.log(
            `progress: next ${next}, requests ${stats.requests}, in flight ${inFlight.size}:\n${[...inFlight.entries()].map(([i, w]) => `#${i} ${w}`).join('\n')}`,
          ),
        5000,
      )
    : undefined;
  const worker = async () => {
    for (;;) {
      const index = next++;
      if (index >= to || Date.now() > deadline || stats.requests >= MAX_REQUESTS) return;
      if (process.env['FUZZ_SKIP']?.split(',').includes(String(index))) continue;
      inFlight.set(index, 'started');
      await runAction(index);
      inFlight.delete(index);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  clearInterval(progress);
}

function mb(n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function firstFew(list: Offence[]): string {
  return list
    .slice(0, 8)
    .map((o) => `  #${o.index} (${o.label}): ${o.what}`)
    .join('\n');
}

// ---------------------------------------------------------------------------------------------------------

describe(
  `fuzz: random and malformed requests on every endpoint (FUZZ_SEED=${SEED})`,
  {
    timeout: 150_000,
  },
  () => {
    let warm: ChildMemory;
    let end: ChildMemory;
    let elapsed = 0;
    let startedAt = 0;

    before(async () => {
      console.log(`fuzz seed: ${SEED} (reproduce with FUZZ_SEED=${SEED})`);
      emulator = await startEmulatorProcess({});
      port = Number(new URL(emulator.url).port);
      pool = new Pool(emulator.url, {
        connections: CONCURRENCY,
        pipelining: 1,
        headersTimeout: 15_000,
        bodyTimeout: 15_000,
        maxHeaderSize: 1024 * 1024,
      });
      // A user the scenario fuzzing may switch freely (every other user keeps its defaults).
      const victim = await send(-1, 'setup', {
        method: 'POST',
        path: '/_emulator/api/users',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'fuzzvictim@contoso.onmicrosoft.com', password: 'fuzz-password' }),
      });
      assert.equal(victim.status, 201);
    });

    after(async () => {
      await pool?.close();
      await emulator?.close();
    });

    it(`sends at least ${MIN_REQUESTS} malformed or random requests across all endpoints`, async () => {
      startedAt = Date.now();
      const deadline = startedAt + TIME_BUDGET_MS;
      // Real codes, tokens, sessions and device codes for the broken-valid requests to start from.
      for (let i = 0; i < 12; i++) await validFlow(rngFor(1_000_000 + i), -1);
      assert.deepEqual(stats.validFlowFailures, [], 'valid sign-ins work before the fuzzing starts');
      await runActions(0, WARMUP_ACTIONS, deadline);
      warm = await emulator.memory();
      await runActions(WARMUP_ACTIONS, ACTIONS, deadline);
      end = await emulator.memory();
      elapsed = Date.now() - startedAt;
      const statuses = [...stats.byStatus.entries()].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`);
      console.log(
        `fuzz: ${stats.requests} requests (${stats.raw} on raw sockets, ${stats.fallbacksToRaw} of them refused by undici) in ${(elapsed / 1000).toFixed(1)} s; ` +
          `by kind ${JSON.stringify(Object.fromEntries(stats.byLabel))}; statuses ${statuses.join(' ')}; ` +
          `expected resets ${stats.expectedResets}; valid-flow hiccups ${stats.validFlowFailures.length}`,
      );
      if (stats.validFlowFailures.length)
        console.log(`valid-flow hiccups:\n${firstFew(stats.validFlowFailures)}`);
      console.log(
        `fuzz memory (emulator process, after gc=${end.gcExposed}): rss ${mb(warm.rss)} → ${mb(end.rss)}, heapUsed ${mb(warm.heapUsed)} → ${mb(end.heapUsed)}`,
      );
      assert.ok(
        stats.requests >= MIN_REQUESTS,
        `only ${stats.requests} requests were sent within the time budget`,
      );
      assert.ok(stats.requests <= MAX_REQUESTS + CONCURRENCY * 4);
    });

    it('answers no request with a 5xx', () => {
      assert.equal(
        stats.fiveHundreds.length,
        0,
        `${stats.fiveHundreds.length} requests answered 5xx (seed ${SEED}); first ones:\n${firstFew(stats.fiveHundreds)}`,
      );
    });

    it('answers every complete request (no hang, no dropped connection)', () => {
      assert.equal(
        stats.clientErrors.length,
        0,
        `${stats.clientErrors.length} complete requests got no answer (seed ${SEED}); first ones:\n${firstFew(stats.clientErrors)}`,
      );
    });

    it('logs nothing (the log option only receives internal errors)', () => {
      assert.equal(
        emulator.logs.length,
        0,
        `the emulator logged ${emulator.logs.length} internal errors (seed ${SEED}); first ones:\n${emulator.logs
          .slice(0, 5)
          .map((l) => `  ${redact(l.split('\n').slice(0, 4).join(' | '))}`)
          .join('\n')}`,
      );
    });

    it('keeps running and answers a health request', async () => {
      assert.equal(
        emulator.exited(),
        undefined,
        `the emulator process ended: ${emulator.stderr().slice(0, 2000)}`,
      );
      const res = await pool.request({
        method: 'GET',
        path: '/common/v2.0/.well-known/openid-configuration',
      });
      const body = (await res.body.json()) as { issuer?: string };
      assert.equal(res.statusCode, 200);
      assert.match(body.issuer ?? '', /\/\{tenantid\}\/v2\.0$/);
      const flowsBefore = stats.validFlowFailures.length;
      await validFlow(rngFor(2_000_000), -2);
      assert.equal(
        stats.validFlowFailures.length,
        flowsBefore,
        'a full sign-in still works after the fuzzing',
      );
    });

    it(`keeps its memory flat (RSS growth < ${mb(RSS_GROWTH_LIMIT)}, heap growth < ${mb(HEAP_GROWTH_LIMIT)})`, () => {
      assert.ok(end.gcExposed, 'the emulator process runs with --expose-gc');
      assert.ok(
        end.rss - warm.rss < RSS_GROWTH_LIMIT,
        `RSS grew from ${mb(warm.rss)} to ${mb(end.rss)} during the run`,
      );
      assert.ok(
        end.heapUsed - warm.heapUsed < HEAP_GROWTH_LIMIT,
        `heap grew from ${mb(warm.heapUsed)} to ${mb(end.heapUsed)} during the run`,
      );
    });
  },
);
