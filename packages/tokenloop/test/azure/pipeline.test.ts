// The Azure SDK's own HTTP pipeline (@azure/core-rest-pipeline, bearerTokenAuthenticationPolicy) with
// tokenloop/azure's credential, against a small https API protected by @tokenloop/web's bearer check: tokens
// from tokenloop's cache, and a continuous access evaluation (CAE) claims challenge answered by a new token
// with those claims. One https emulator for the file (its CA also issues the API's certificate).
import assert from 'node:assert/strict';
import { type Server, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createEmptyPipeline,
  createPipelineRequest,
  tlsPolicy,
} from '@azure/core-rest-pipeline';
import type { GetTokenOptions } from '@azure/core-auth';
import { SAMPLE_IDS, SAMPLE_SECRETS } from '@tokenloop/emulator';
import { checkBearer, claimsChallenge, createAccessTokenVerifier } from '@tokenloop/web';
import { type TokenClient, TokenloopError, createTokenClient } from 'tokenloop';
import { CredentialUnavailableError, type TokenloopCredential, createTokenCredential } from 'tokenloop/azure';
import { type HttpsEmulator, startHttpsEmulator } from './support/https-emulator.js';
import { type WatchedFetch, watchedFetch } from './support/watched-fetch.js';

const API_SCOPE = `api://${SAMPLE_IDS.apiApp}/.default`;
const GRAPH_USER_READ = 'https://graph.microsoft.com/User.Read';

/** The API: `access_as_user` required; tokens whose `uti` is in `revoked` get a CAE claims challenge. */
interface ProtectedApi {
  url: string;
  /** Tokens received, in order (compared, never printed). */
  tokens: string[];
  /** `uti` of the tokens a revocation event made invalid. */
  revoked: Set<string>;
  /** The decoded claims challenge last sent. */
  lastChallenge: string | undefined;
  utiOf(token: string): string;
  close(): Promise<void>;
}

async function startProtectedApi(h: HttpsEmulator, authority: string): Promise<ProtectedApi> {
  const verifier = createAccessTokenVerifier({
    authority,
    audience: SAMPLE_IDS.apiApp,
    http: { fetch: h.fetch },
  });
  const api = {
    tokens: [] as string[],
    revoked: new Set<string>(),
    lastChallenge: undefined as string | undefined,
    uti: new Map<string, string>(),
  };
  const server: Server = createServer(h.tls, (req, res) => {
    void (async () => {
      const outcome = await checkBearer(
        verifier,
        { authorization: req.headers.authorization, tokenInQuery: false, tokenInBody: false },
        { scopes: ['access_as_user'] },
      );
      if (!outcome.ok) {
        res.writeHead(outcome.status, { 'www-authenticate': outcome.wwwAuthenticate }).end();
        return;
      }
      const token = req.headers.authorization!.replace(/^bearer +/i, '');
      api.tokens.push(token);
      const uti = String(outcome.claims.uti);
      api.uti.set(token, uti);
      if (api.revoked.has(uti)) {
        // As Entra-protected resources answer a token issued before a revocation event (CAE): 401 with a
        // claims challenge asking for a token not issued before now (@tokenloop/web's helper writes it).
        const challenge = claimsChallenge({
          notBefore: new Date(),
          authorizationUri: `${authority}/oauth2/v2.0/authorize`,
        });
        api.lastChallenge = challenge.claims;
        res.writeHead(challenge.status, { 'www-authenticate': challenge.wwwAuthenticate }).end();
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ sub: outcome.claims.sub }));
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/data`,
    tokens: api.tokens,
    revoked: api.revoked,
    get lastChallenge() {
      return api.lastChallenge;
    },
    utiOf: (token) => api.uti.get(token)!,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('tokenloop/azure in the Azure SDK pipeline (bearerTokenAuthenticationPolicy), against a protected API', () => {
  let h: HttpsEmulator;
  let client: TokenClient;
  let watched: WatchedFetch;
  let api: ProtectedApi;
  let credential: TokenloopCredential;
  /** What the pipeline asked the credential for. */
  const asked: (GetTokenOptions | undefined)[] = [];
  before(async () => {
    h = await startHttpsEmulator({ autoLogin: 'alice', settings: { deviceCodeInterval: 1 } });
    const authority = `${h.em.url}/${SAMPLE_IDS.contoso}`;
    watched = watchedFetch(h.fetch);
    client = createTokenClient({ authority, clientId: SAMPLE_IDS.publicApp, http: { fetch: watched.fetch } });
    await client.loginWithDeviceCode({
      scopes: [`api://${SAMPLE_IDS.apiApp}/access_as_user`],
      onPrompt: () => {},
    });
    api = await startProtectedApi(h, authority);
    credential = createTokenCredential(client);
  });
  after(async () => {
    await api?.close();
    await client?.close();
    await h?.close();
  });

  /** One pipeline, as an Azure SDK client keeps: it trusts the emulator's CA, and its bearer policy asks the credential. */
  let pipeline: ReturnType<typeof createEmptyPipeline> | undefined;
  const send = async () => {
    if (!pipeline) {
      pipeline = createEmptyPipeline();
      pipeline.addPolicy(tlsPolicy({ ca: h.ca }));
      pipeline.addPolicy(
        bearerTokenAuthenticationPolicy({
          scopes: API_SCOPE,
          credential: {
            getToken: (scopes, options) => {
              asked.push(options);
              return credential.getToken(scopes, options);
            },
          },
        }),
      );
    }
    return pipeline.sendRequest(createDefaultHttpClient(), createPipelineRequest({ url: api.url }));
  };

  it('S105 the pipeline authorizes with the cached token; a CAE claims challenge is answered with a new token carrying the claims', async () => {
    const requestsBefore = watched.tokenRequests.length;
    const first = await send();
    assert.equal(first.status, 200, first.bodyAsText ?? '');
    assert.equal(asked.length, 1);
    assert.equal(api.tokens.length, 1);
    const firstToken = api.tokens[0]!;

    // The session is revoked at the resource: its next answer is a claims challenge.
    api.revoked.add(api.utiOf(firstToken));
    const second = await send();
    assert.equal(second.status, 200, second.bodyAsText ?? '');
    assert.equal(api.tokens.length, 3, 'the refused try and the retry with the new token');
    assert.equal(api.tokens[1], firstToken);
    assert.notEqual(api.tokens[2], firstToken);
    const challenged = asked.at(-1);
    assert.equal(challenged?.claims, api.lastChallenge, 'the pipeline passed the decoded challenge on');
    assert.equal(challenged?.enableCae, true);
    assert.deepEqual(
      watched.tokenRequests.slice(requestsBefore).filter((r) => r.claims !== null),
      [{ grantType: 'refresh_token', claims: api.lastChallenge }],
      'the claims went to the token endpoint',
    );

    // Later requests carry the new token; tokenloop's cache serves the pipeline's next getToken too.
    const third = await send();
    assert.equal(third.status, 200);
    assert.equal(api.tokens.at(-1), api.tokens[2]);
    const requests = watched.tokenRequests.length;
    const again = await credential.getToken(API_SCOPE);
    assert.equal(again.token, api.tokens[2]);
    assert.equal(watched.tokenRequests.length, requests, 'from the cache');
  });

  // Last in the file: revokes alice's grants at the emulator.
  it('S144 clientCapabilities cp1: CAE tokens for the emulator Graph; after a revocation its challenge\'s claims (with cp1) go to the token endpoint, and "sign in again" is the interaction-required error', async () => {
    const capable = watchedFetch(h.fetch);
    const cae = createTokenClient({
      authority: `${h.em.url}/${SAMPLE_IDS.contoso}`,
      clientId: SAMPLE_IDS.publicApp,
      clientCapabilities: ['cp1'],
      http: { fetch: capable.fetch },
    });
    try {
      await cae.loginWithDeviceCode({ scopes: [GRAPH_USER_READ], onPrompt: () => {} });
      const declared = capable.tokenRequests.map((r) => JSON.parse(r.claims ?? '{}') as unknown);
      assert.ok(declared.length >= 1);
      for (const c of declared) assert.deepEqual(c, { access_token: { xms_cc: { values: ['cp1'] } } });
      const caeCredential = createTokenCredential(cae);
      const token = await caeCredential.getToken(GRAPH_USER_READ);
      const payload = JSON.parse(Buffer.from(token.token.split('.')[1]!, 'base64url').toString()) as {
        xms_cc?: string[];
      };
      assert.deepEqual(payload.xms_cc, ['cp1'], 'a CAE token');
      assert.ok(token.expiresOnTimestamp - Date.now() > 20 * 3600_000, 'with the long CAE lifetime');

      const graph = createEmptyPipeline();
      graph.addPolicy(tlsPolicy({ ca: h.ca }));
      graph.addPolicy(
        bearerTokenAuthenticationPolicy({ scopes: GRAPH_USER_READ, credential: caeCredential }),
      );
      const me = () =>
        graph.sendRequest(createDefaultHttpClient(), createPipelineRequest({ url: `${h.em.url}/v1.0/me` }));
      assert.equal((await me()).status, 200);

      assert.ok(h.em.revokeUserGrants('alice') >= 1);
      const before = capable.tokenRequests.length;
      await assert.rejects(me(), (err: unknown) => {
        assert.ok(err instanceof CredentialUnavailableError, String(err));
        assert.ok(
          err.cause instanceof TokenloopError && err.cause.code === 'INTERACTION_REQUIRED',
          String(err.cause),
        );
        return true;
      });
      const answered = capable.tokenRequests.slice(before);
      assert.equal(answered.length, 1, 'one refresh with the challenge');
      assert.equal(answered[0]!.grantType, 'refresh_token');
      const sent = JSON.parse(answered[0]!.claims ?? '{}') as {
        access_token: { nbf?: { essential: boolean; value: string }; xms_cc?: { values: string[] } };
      };
      assert.equal(sent.access_token.nbf?.essential, true, "the challenge's nbf");
      assert.deepEqual(sent.access_token.xms_cc, { values: ['cp1'] }, 'merged with cp1');

      // App-only tokens (client credentials, whose parameters oauth4webapi takes as an argument) declare it too.
      const daemonWatch = watchedFetch(h.fetch);
      const daemon = createTokenClient({
        authority: `${h.em.url}/${SAMPLE_IDS.contoso}`,
        clientId: SAMPLE_IDS.daemonApp,
        clientSecret: SAMPLE_SECRETS.daemonApp,
        clientCapabilities: ['cp1'],
        http: { fetch: daemonWatch.fetch },
      });
      try {
        const app = await daemon.acquireAppToken({ scopes: ['https://graph.microsoft.com/.default'] });
        const appClaims = JSON.parse(Buffer.from(app.accessToken.split('.')[1]!, 'base64url').toString()) as {
          xms_cc?: string[];
        };
        assert.deepEqual(appClaims.xms_cc, ['cp1']);
        assert.deepEqual(daemonWatch.tokenRequests, [
          { grantType: 'client_credentials', claims: '{"access_token":{"xms_cc":{"values":["cp1"]}}}' },
        ]);
      } finally {
        await daemon.close();
      }
    } finally {
      await cae.close();
    }
  });
});
