// Fuzz flows: valid sign-ins (to collect real codes, tokens, sessions) and valid requests with one field broken.
import { txCookieJar } from '../support/tx-cookies.ts';
import { SAMPLE_IDS, SAMPLE_SECRETS } from '../../src/index.ts';
import { type HttpRequest, formBody, post } from './requests.ts';
import { type Rng } from './rng.ts';
import { type Answer, send, stats } from './transport.ts';
import {
  API,
  DAEMON,
  PUBLIC,
  USERS,
  WEB,
  WEB_REDIRECT,
  any,
  b64url,
  keep,
  loot,
  mutate,
  pkcePair,
} from './values.ts';

export function field(html: string, name: string): string | undefined {
  return new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
}

export function locationParams(a: Answer): URLSearchParams | undefined {
  const location = a.headers['location'];
  if (typeof location !== 'string') return undefined;
  const url = new URL(location);
  return url.hash ? new URLSearchParams(url.hash.slice(1)) : url.searchParams;
}

export function setCookiesOf(a: Answer): string[] {
  const raw = a.headers['set-cookie'];
  return Array.isArray(raw) ? raw : raw ? [raw] : [];
}

/** The Cookie header for the transaction cookie a sign-in page set (the page posts need it). */
export function txCookieOf(a: Answer): string | undefined {
  const jar = txCookieJar();
  jar.remember(setCookiesOf(a));
  return jar.header();
}

export function sessionOf(a: Answer): string | undefined {
  for (const c of setCookiesOf(a)) {
    const m = /^tokenloop_sso=([^;]+)/.exec(c);
    if (m?.[1]) return m[1];
  }
  return undefined;
}

/** A full sign-in: authorize → login page → (consent) → code; sometimes redeemed, plus a device code. */
export async function validFlow(r: Rng, index: number): Promise<void> {
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
export function brokenValidRequest(r: Rng): HttpRequest {
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
