// A web session gets the tokens of its own account only (the web side of finding 3 of the security review; S69):
// it asks the library by the stable homeAccountId and nothing else, and a missing server-side record means
// "sign in again" — never a look-alike's token. Against panva's oidc-provider, where users choose their
// preferred_username, through the web core's own login and callback routes.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type WebAuth,
  type WebResponse,
  type WebSession,
  SignInRequiredError,
  createWebAuth,
} from '@tokenloop/web';
import {
  CLIENT_IDS,
  type OidcProviderHarness,
  USERS,
  type UserName,
  WEB_REDIRECT_URI,
  startOidcProvider,
} from '../../tokenloop/test/support/oidc-provider-server.js';

const SCOPES = ['openid', 'profile', 'email'];
const APP = new URL(WEB_REDIRECT_URI).origin; // the provider's web client is registered for this redirect URI

/** The value of cookie `name` among a response's Set-Cookie headers. */
function cookieOf(res: WebResponse, name: string): string | undefined {
  const all = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const found = all.find((c) => c.startsWith(`${name}=`) && !/Max-Age=0/i.test(c));
  return found?.split(';')[0]!.slice(name.length + 1);
}

describe('S69 web sessions and look-alike accounts at a generic provider (oidc-provider)', () => {
  let h: OidcProviderHarness;
  let auth: WebAuth;
  before(async () => {
    h = await startOidcProvider();
    auth = createWebAuth({
      issuer: h.issuer,
      clientId: CLIENT_IDS.web,
      clientSecret: h.clientSecret,
      baseUrl: APP,
      callbackPath: new URL(WEB_REDIRECT_URI).pathname,
      scopes: SCOPES,
    });
  });
  after(async () => {
    await auth?.client.close();
    await h?.close();
  });

  /** A whole web sign-in as `user`: the app's login route, the provider's pages, the app's callback. */
  async function webSignIn(user: UserName): Promise<WebSession> {
    const login = (await auth.handle({
      method: 'GET',
      url: new URL('/auth/login', APP),
      cookieHeader: undefined,
    }))!;
    assert.equal(login.status, 302);
    const tx = cookieOf(login, 'tl_tx')!;
    const { callback } = await h.browser().authorize(new URL(String(login.headers.location)), { user });
    const done = (await auth.handle({ method: 'GET', url: callback, cookieHeader: `tl_tx=${tx}` }))!;
    assert.equal(done.status, 303, done.body);
    const id = cookieOf(done, 'tl_session')!;
    const session = await auth.session({
      method: 'GET',
      url: new URL('/', APP),
      cookieHeader: `tl_session=${id}`,
    });
    assert.ok(session);
    return session;
  }

  for (const attacker of ['mallory', 'eve'] as const) {
    it(`S69 the report: after the victim's server-side record went, ${attacker}'s sign-in does not hand the victim's session a token; it must sign in again`, async () => {
      const victim = await webSignIn('alice');
      assert.equal(victim.homeAccountId, `${USERS.alice.sub}@${h.issuer}`);
      const own = await auth.getAccessToken(victim, SCOPES);
      assert.equal(own.account?.homeAccountId, victim.homeAccountId);
      // The record goes (another session's "sign out everywhere", eviction from the store, a lost Redis).
      assert.equal(await auth.client.removeAccount(victim.homeAccountId), true);
      const intruder = await webSignIn(attacker);
      assert.notEqual(intruder.homeAccountId, victim.homeAccountId);
      const theirs = await auth.getAccessToken(intruder, SCOPES);
      await assert.rejects(auth.getAccessToken(victim, SCOPES, '/inbox'), (e: unknown) => {
        assert.ok(e instanceof SignInRequiredError, String(e));
        assert.equal(e.loginUrl, `/auth/login?returnTo=%2Finbox&scopes=${SCOPES.join('+')}`);
        return true;
      });
      // Nothing the victim's session can reach carries the intruder's token.
      assert.notEqual(own.accessToken, theirs.accessToken);
      await auth.client.removeAccount(intruder.homeAccountId);
    });
  }
});

describe('S69 sweep', () => {
  it('S69 every token-client call of packages/web/src that names an account names it by homeAccountId, never by a username', () => {
    const src = join(import.meta.dirname, '..', 'src');
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const ACCOUNT_CALLS =
      /\.(acquireTokenSilent|removeAccount|endSessionUrl|getAccount|exportAccount|getUserInfo)\(/g;
    let calls = 0;
    for (const file of files) {
      const text = readFileSync(join(src, file), 'utf8');
      assert.doesNotMatch(text, /findAccountByTypedName/, `${file}: a typed-name lookup in the web layer`);
      for (const m of text.matchAll(ACCOUNT_CALLS)) {
        calls++;
        // The call's arguments: up to the parenthesis that closes it.
        let depth = 0;
        let end = m.index + m[0].length - 1;
        for (; end < text.length; end++) {
          if (text[end] === '(') depth++;
          else if (text[end] === ')' && --depth === 0) break;
        }
        const args = text.slice(m.index + m[0].length, end);
        assert.match(
          args,
          /homeAccountId/,
          `${file}: ${m[1]}(${args}) does not name the account by homeAccountId`,
        );
        assert.doesNotMatch(args, /username|preferred_username|email|upn/i, `${file}: ${m[1]}(${args})`);
      }
    }
    assert.ok(calls >= 4, `found only ${calls} account calls: the pattern no longer matches the code`);
  });
});
