// Account lookup (finding 3 of the security review): accounts are found by their stable key only (S70); a name
// a person typed goes through its own entry point and must name exactly one account of the same issuer (S71).
// Tokens are only ever compared, never printed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type AccountInfo,
  type AccountSelector,
  CONSUMERS_TENANT_ID,
  type TokenClient,
  TokenloopError,
  createTokenClient,
  memoryStore,
} from 'tokenloop';
import { rejectsWith } from '../support/assertions.js';
import {
  CLIENT_IDS,
  type OidcProviderHarness,
  USERS,
  type UserName,
  WEB_REDIRECT_URI,
  startOidcProvider,
} from '../support/oidc-provider-server.js';
import { TS_NAME, sourceFiles } from '../support/package-sources.js';
import { type ScriptedProvider, startScriptedProvider } from '../support/scripted-provider.js';
import { scriptedSignIn } from '../support/scripted-sign-in.js';

const SRC = join(import.meta.dirname, '..', '..', 'src');

describe('S70 the report: a web session and a look-alike at a generic provider (oidc-provider)', () => {
  let h: OidcProviderHarness;
  before(async () => {
    h = await startOidcProvider();
  });
  after(() => h?.close());

  /** The web app's sign-in, as packages/web does it: begin, the user at the provider, complete. */
  async function webSignIn(client: TokenClient, user: UserName) {
    const { url, transaction } = await client.beginAuthorization({
      redirectUri: WEB_REDIRECT_URI,
      scopes: ['openid', 'profile', 'email'],
    });
    const { callback } = await h.browser().authorize(url, { user });
    return client.completeAuthorization(transaction, callback);
  }

  for (const attacker of ['mallory', 'eve'] as const) {
    it(`S70 the victim's session asking by homeAccountId after the victim's record was removed gets sign-in required, never the token of ${attacker} (${attacker === 'mallory' ? "alice's preferred_username, a sub differing only in case" : "preferred_username = alice's account id"})`, async () => {
      const client = createTokenClient({
        issuer: h.issuer,
        clientId: CLIENT_IDS.web,
        clientSecret: h.clientSecret,
        cache: memoryStore(),
      });
      const victim = (await webSignIn(client, 'alice')).account!;
      assert.equal(victim.homeAccountId, `${USERS.alice.sub}@${h.issuer}`);
      // The web session keeps victim.homeAccountId; the server-side record goes (sign-out elsewhere, eviction).
      assert.equal(await client.removeAccount(victim.homeAccountId), true);
      const intruder = await webSignIn(client, attacker);
      assert.equal(intruder.account?.localAccountId, USERS[attacker].sub);
      if (attacker === 'mallory') assert.equal(intruder.account?.username, victim.username);
      else assert.equal(intruder.account?.username, victim.homeAccountId);

      // What getAccessToken(session) in packages/web asks: by the session's homeAccountId.
      for (const selector of [victim.homeAccountId, victim] as AccountSelector[]) {
        const outcome = await client.acquireTokenSilent({ account: selector, scopes: ['openid'] }).then(
          (r) => (r.accessToken === intruder.accessToken ? "the attacker's token" : 'some token'),
          (err: unknown) => (err instanceof TokenloopError ? err.code : String(err)),
        );
        assert.equal(outcome, 'ACCOUNT_NOT_FOUND', 'sign-in required');
        assert.equal(await client.getAccount(selector), undefined);
      }
      await client.close();
    });
  }
});

describe('S70 sweep: every public method that takes an account finds it by the exact key only', () => {
  let pA: ScriptedProvider;
  let pB: ScriptedProvider;
  before(async () => {
    pA = await startScriptedProvider();
    pB = await startScriptedProvider();
  });
  after(async () => {
    await pA?.close();
    await pB?.close();
  });

  interface SignIn {
    at: 'A' | 'B';
    sub: string;
    username: string;
  }
  interface Cell {
    signIns: SignIn[];
    /** The selector, given the victim's id at A. */
    selector: (victimId: string, accounts: AccountInfo[]) => AccountSelector;
  }
  const VICTIM: SignIn = { at: 'A', sub: 'victim-7Q', username: 'alice@example.test' };
  /** Columns: the cache holds these accounts, a call names one so; only `exact key` finds the victim. */
  const columns: Record<string, Cell & { finds: 'victim' | 'nothing' }> = {
    'exact key (homeAccountId)': {
      signIns: [VICTIM],
      selector: (id) => id,
      finds: 'victim',
    },
    'exact key (AccountInfo)': {
      signIns: [VICTIM],
      selector: (_id, accounts) => accounts[0]!,
      finds: 'victim',
    },
    'the username (other case)': {
      signIns: [VICTIM],
      selector: () => 'ALICE@Example.TEST',
      finds: 'nothing',
    },
    'the username (same case)': {
      signIns: [VICTIM],
      selector: () => 'alice@example.test',
      finds: 'nothing',
    },
    "victim gone; a look-alike whose key differs in case asks by the victim's key": {
      signIns: [{ at: 'A', sub: 'VICTIM-7q', username: 'alice@example.test' }],
      selector: (id) => id,
      finds: 'nothing',
    },
    "victim gone; a look-alike whose username is the victim's key": {
      signIns: [{ at: 'A', sub: 'eve', username: `victim-7Q@${'A'}` }],
      selector: (id) => id,
      finds: 'nothing',
    },
    'same username (and sub) at another issuer, by its key': {
      signIns: [{ ...VICTIM, at: 'B' }],
      selector: (_id, accounts) => accounts[0]!.homeAccountId,
      finds: 'nothing',
    },
    'same username at another issuer, by the username': {
      signIns: [{ ...VICTIM, at: 'B' }],
      selector: () => 'alice@example.test',
      finds: 'nothing',
    },
  };

  /** Rows: each public method that takes an account, reduced to "which account did it act on" (or 'nothing'). */
  const rows: Record<
    string,
    (c: TokenClient, s: AccountSelector, all: () => Promise<string[]>) => Promise<string>
  > = {
    acquireTokenSilent: async (c, s) =>
      (await c.acquireTokenSilent({ account: s, scopes: ['read'] })).account!.homeAccountId,
    getAccount: async (c, s) => (await c.getAccount(s))?.homeAccountId ?? 'nothing',
    removeAccount: async (c, s, all) => {
      const before = await all();
      if (!(await c.removeAccount(s))) return 'nothing';
      const left = new Set(await all());
      return before.find((id) => !left.has(id)) ?? 'nothing';
    },
    getUserInfo: async (c, s) => {
      const info = await c.getUserInfo({ account: s });
      return `${String(info.sub)}@${pA.url}`;
    },
    endSessionUrl: async (c, s) => {
      const hint = (await c.endSessionUrl({ account: s }))?.searchParams.get('id_token_hint');
      if (!hint) return 'nothing';
      const claims = JSON.parse(Buffer.from(hint.split('.')[1]!, 'base64url').toString('utf8')) as {
        sub: string;
        iss: string;
      };
      return `${claims.sub}@${claims.iss}`;
    },
    exportAccount: async (c, s) =>
      (JSON.parse(await c.exportAccount(s)) as { record: { account: { homeAccountId: string } } }).record
        .account.homeAccountId,
  };

  it('S70 the sweep covers every method of TokenClient that takes an account (a source scan)', () => {
    const source = readFileSync(join(SRC, 'client', 'create-client.ts'), 'utf8');
    // Types that carry an account selector (AccountSelector itself and the options objects that hold one).
    const carriers = new Set(['AccountSelector']);
    for (const m of source.matchAll(/export interface (\w+) \{([\s\S]*?)\n\}/g))
      if (/AccountSelector/.test(m[2]!)) carriers.add(m[1]!);
    const api = /export interface TokenClient \{([\s\S]*?)\n\}/.exec(source)![1]!;
    const takers = new Set<string>();
    let member = '';
    for (const line of api.split('\n')) {
      const name = /^ {2}(?:readonly )?(\w+)[(?:<]/.exec(line)?.[1];
      if (name) member = name;
      if ([...carriers].some((t) => new RegExp(`\\b${t}\\b`).test(line)) && !/^\s*(\/\*\*|\*)/.test(line))
        takers.add(member);
    }
    assert.deepEqual([...takers].sort(), Object.keys(rows).sort());
  });

  for (const [method, act] of Object.entries(rows)) {
    for (const [column, cell] of Object.entries(columns)) {
      it(`S70 ${method} × ${column}: finds ${cell.finds === 'victim' ? 'the victim' : 'nothing (sign-in required)'}`, async () => {
        const store = memoryStore();
        const clients = {
          A: createTokenClient({ issuer: pA.url, clientId: pA.clientId, cache: store }),
          B: createTokenClient({ issuer: pB.url, clientId: pB.clientId, cache: store }),
        };
        const urls = { A: pA.url, B: pB.url };
        const accounts: AccountInfo[] = [];
        for (const s of cell.signIns) {
          const username = s.username.replace(/@A$/, `@${pA.url}`);
          const r = await scriptedSignIn(urls[s.at] === pA.url ? pA : pB, clients[s.at], {
            claims: { sub: s.sub, preferred_username: username },
          });
          accounts.push(r.account!);
        }
        pA.on('/userinfo', () => ({ body: { sub: cell.signIns[0]!.sub } }));
        const victimId = `${VICTIM.sub}@${pA.url}`;
        const all = async () =>
          [...(await clients.A.getAccounts()), ...(await clients.B.getAccounts())].map(
            (a) => a.homeAccountId,
          );
        const outcome = await act(clients.A, cell.selector(victimId, accounts), all).catch((err: unknown) => {
          if (
            err instanceof TokenloopError &&
            (err.code === 'ACCOUNT_NOT_FOUND' || err.code === 'INTERACTION_REQUIRED')
          )
            return 'nothing';
          throw err;
        });
        pA.on('/userinfo', undefined);
        assert.equal(outcome, cell.finds === 'victim' ? victimId : 'nothing');
        if (cell.finds === 'nothing')
          assert.deepEqual((await all()).sort(), accounts.map((a) => a.homeAccountId).sort());
      });
    }
  }
});

describe('S71 a name a person typed: findAccountByTypedName', () => {
  let pA: ScriptedProvider;
  let pB: ScriptedProvider;
  before(async () => {
    pA = await startScriptedProvider();
    pB = await startScriptedProvider();
  });
  after(async () => {
    await pA?.close();
    await pB?.close();
  });
  const setup = () => {
    const store = memoryStore();
    return {
      a: createTokenClient({ issuer: pA.url, clientId: pA.clientId, cache: store }),
      b: createTokenClient({ issuer: pB.url, clientId: pB.clientId, cache: store }),
    };
  };

  it('S71 a typed username names the one account of this issuer with it (any case); the same username at another issuer does not count', async () => {
    const { a, b } = setup();
    const alice = (
      await scriptedSignIn(pA, a, { claims: { sub: 'a-1', preferred_username: 'alice@example.test' } })
    ).account!;
    await scriptedSignIn(pA, a, { claims: { sub: 'b-1', preferred_username: 'bob@example.test' } });
    await scriptedSignIn(pB, b, { claims: { sub: 'a-1', preferred_username: 'alice@example.test' } });
    assert.equal((await a.findAccountByTypedName('Alice@Example.test')).homeAccountId, alice.homeAccountId);
    assert.equal((await a.findAccountByTypedName(alice.homeAccountId)).homeAccountId, alice.homeAccountId);
    const token = await a.acquireTokenSilent({
      account: await a.findAccountByTypedName('alice@example.test'),
      scopes: ['read'],
    });
    assert.equal(token.account?.homeAccountId, alice.homeAccountId);
  });

  it('S71 two accounts of this issuer with the username: a clear error listing both, nothing chosen', async () => {
    const { a } = setup();
    await scriptedSignIn(pA, a, { claims: { sub: 'a-1', preferred_username: 'alice@example.test' } });
    await scriptedSignIn(pA, a, { claims: { sub: 'A-1', preferred_username: 'ALICE@example.test' } });
    const err = await rejectsWith(
      a.findAccountByTypedName('alice@example.test'),
      'INVALID_ARGUMENT',
      /2 signed-in accounts/,
    );
    assert.match(err.message, /"alice@example\.test"/);
    assert.match(err.message, /"ALICE@example\.test"/);
    assert.match(err.remediation ?? '', /homeAccountId/);
  });

  it('S71 no account with that name: sign-in required, naming the account; an id is looked up by its exact key only', async () => {
    const { a } = setup();
    const alice = (
      await scriptedSignIn(pA, a, { claims: { sub: 'a-1', preferred_username: 'alice@example.test' } })
    ).account!;
    const err = await rejectsWith(
      a.findAccountByTypedName('carol@example.test'),
      'ACCOUNT_NOT_FOUND',
      /"carol@example\.test"/,
    );
    assert.match(err.remediation ?? '', /[Ss]ign in/);
    await rejectsWith(
      a.findAccountByTypedName(alice.homeAccountId.toUpperCase().replace(pA.url.toUpperCase(), pA.url)),
      'ACCOUNT_NOT_FOUND',
    );
    await rejectsWith(a.findAccountByTypedName(''), 'INVALID_ARGUMENT');
  });

  it('S71 an account whose username looks like another account id is never found by that id', async () => {
    const { a } = setup();
    await scriptedSignIn(pA, a, { claims: { sub: 'eve', preferred_username: `a-1@${pA.url}` } });
    await rejectsWith(a.findAccountByTypedName(`a-1@${pA.url}`), 'ACCOUNT_NOT_FOUND');
  });
});

describe('S70 the rule lives in one module', () => {
  it('S70 no source file outside client/account-lookup.ts compares account usernames (a source scan)', () => {
    const roots = ['tokenloop', 'web', 'cli'].map((p) => join(SRC, '..', '..', p, 'src'));
    const offenders: string[] = [];
    const except = (p: string) => p.endsWith(join('client', 'account-lookup.ts'));
    for (const path of roots.flatMap((r) => sourceFiles(r, { names: TS_NAME, except }))) {
      const text = readFileSync(path, 'utf8');
      if (
        /\busername\)?\??\.(toLowerCase|toUpperCase|localeCompare|normalize)\b|\busername\s*[!=]==?|[!=]==?\s*[\w.?]*\busername\b/.test(
          text,
        )
      )
        offenders.push(path);
    }
    assert.deepEqual(offenders, []);
  });
});

describe('S71 on Entra, "the same issuer" is the authority\'s tenant', () => {
  const HOST = 'login.microsoftonline.com';
  const CLIENT = '00000000-0000-0000-0000-0000000000c1';
  const T1 = '11111111-1111-4111-8111-111111111111';
  const T2 = '22222222-2222-4222-8222-222222222222';
  const MSA = CONSUMERS_TENANT_ID;
  /** Alice at home (T1), as a guest in T2 (same preferred_username, own oid), and a personal account. */
  const homes = [
    { oid: 'a1a1a1a1-0000-4000-8000-000000000001', tid: T1, via: `https://${HOST}/${T1}` },
    { oid: 'a2a2a2a2-0000-4000-8000-000000000002', tid: T2, via: `https://${HOST}/contoso.com` },
    { oid: 'a3a3a3a3-0000-4000-8000-000000000003', tid: MSA, via: `https://${HOST}/common` },
  ];
  // Records as the library writes them after an Entra sign-in (no network: lookups are offline).
  async function storeWithAlices() {
    const store = memoryStore();
    for (const h of homes) {
      const homeAccountId = `${h.oid}.${h.tid}`;
      const key = `${HOST}|${CLIENT}|${homeAccountId}`;
      await store.transact(key, async () => ({
        result: undefined,
        next: {
          v: 1 as const,
          key,
          clientId: CLIENT,
          authority: h.via,
          account: {
            homeAccountId,
            environment: HOST,
            issuer: `https://${HOST}/${h.tid}/v2.0`,
            tenantId: h.tid,
            localAccountId: h.oid,
            username: 'alice@contoso.com',
          },
          accessTokens: [],
          updatedAt: Date.now(),
        },
      }));
    }
    return store;
  }
  const cases: [tenant: string, finds: string[]][] = [
    [T1, [`${homes[0]!.oid}.${T1}`]],
    [T2, [`${homes[1]!.oid}.${T2}`]],
    ['consumers', [`${homes[2]!.oid}.${MSA}`]],
    ['organizations', [`${homes[0]!.oid}.${T1}`, `${homes[1]!.oid}.${T2}`]],
    ['common', homes.map((h) => `${h.oid}.${h.tid}`)],
    ['contoso.com', [`${homes[1]!.oid}.${T2}`]],
  ];
  for (const [tenant, finds] of cases) {
    it(`S71 S130 authority /${tenant}: "alice@contoso.com" ${finds.length === 1 ? 'names its one account' : `is ambiguous among ${finds.length}`}; only accounts of its tenant are found by id, listed or used`, async () => {
      const client = createTokenClient({
        authority: `https://${HOST}/${tenant}`,
        clientId: CLIENT,
        cache: await storeWithAlices(),
      });
      if (finds.length === 1) {
        assert.equal((await client.findAccountByTypedName('Alice@Contoso.com')).homeAccountId, finds[0]);
      } else {
        const err = await rejectsWith(client.findAccountByTypedName('alice@contoso.com'), 'INVALID_ARGUMENT');
        const listed = [...err.message.matchAll(/\(id ([^)]+)\)/g)].map((m) => m[1]);
        assert.deepEqual(listed.sort(), [...finds].sort());
      }
      // S130: an id is its exact key, and only an account of the authority's tenant is found, listed or used.
      assert.deepEqual((await client.getAccounts()).map((a) => a.homeAccountId).sort(), [...finds].sort());
      for (const h of homes) {
        const id = `${h.oid}.${h.tid}`;
        if (finds.includes(id)) {
          assert.equal((await client.findAccountByTypedName(id)).homeAccountId, id);
          // No token cached for it, no refresh token: a sign-in, not another tenant's token.
          await rejectsWith(
            client.acquireTokenSilent({ account: id, scopes: ['User.Read'] }),
            'INTERACTION_REQUIRED',
          );
        } else {
          await rejectsWith(client.findAccountByTypedName(id), 'ACCOUNT_NOT_FOUND');
          assert.equal(await client.getAccount(id), undefined);
          await rejectsWith(
            client.acquireTokenSilent({ account: id, scopes: ['User.Read'] }),
            'ACCOUNT_NOT_FOUND',
          );
        }
      }
    });
  }
});
