import { createPrivateKey, generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import {
  createSelfSignedKey,
  type RunningEmulator,
  SAMPLE_IDS,
  startEmulator,
  thumbprints,
} from '../../src/index.ts';
import { WEB_REDIRECT } from '../support/web-sign-in.ts';
import { expectError } from './entra-errors.ts';
import { PUBLIC_REDIRECT, TIMEOUT, token, tokenErrorTests, tokensOf, tokenUrl } from './token-calls.ts';

/** Token endpoint errors about who the client is: secrets, assertions, unknown, public or disabled clients. */

describe('AADSTS errors at the token endpoint: client authentication', TIMEOUT, () => {
  let e: RunningEmulator;
  before(async () => {
    e = await startEmulator({ autoLogin: 'alice' });
  });
  after(() => e.close());

  const codeGrant = { grant_type: 'authorization_code', code: 'x', redirect_uri: WEB_REDIRECT };
  const basic = `Basic ${Buffer.from(`${SAMPLE_IDS.webApp}:not-the-secret`).toString('base64')}`;

  tokenErrorTests(
    () => e,
    [
      {
        name: 'AADSTS7000215: wrong client secret (body and HTTP Basic)',
        requests: [
          { params: { ...codeGrant, client_id: SAMPLE_IDS.webApp, client_secret: 'not-the-secret' } },
          { params: codeGrant, headers: { authorization: basic } },
        ],
        expected: { status: 401, error: 'invalid_client', code: 7000215 },
      },
      {
        name: 'AADSTS7000218: confidential client sends no credentials',
        requests: [
          { params: { ...codeGrant, client_id: SAMPLE_IDS.webApp } },
          {
            params: {
              grant_type: 'client_credentials',
              client_id: SAMPLE_IDS.daemonApp,
              scope: 'https://graph.microsoft.com/.default',
            },
          },
        ],
        expected: { status: 401, error: 'invalid_client', code: 7000218 },
      },
      {
        name: 'AADSTS700025: public client sends a secret',
        requests: [
          {
            params: {
              ...codeGrant,
              redirect_uri: PUBLIC_REDIRECT,
              client_id: SAMPLE_IDS.publicApp,
              client_secret: 'anything-at-all',
            },
          },
        ],
        expected: { status: 400, error: 'invalid_client', code: 700025 },
      },
      {
        name: 'AADSTS700016: unknown client at the token endpoint (JSON)',
        requests: [{ params: { ...codeGrant, client_id: randomUUID() } }],
        expected: { status: 400, error: 'unauthorized_client', code: 700016 },
      },
      {
        name: 'AADSTS7000112: disabled application',
        requests: [
          { params: { ...codeGrant, redirect_uri: PUBLIC_REDIRECT, client_id: SAMPLE_IDS.publicApp } },
        ],
        expected: { status: 400, error: 'unauthorized_client', code: 7000112 },
        appScenario: { app: SAMPLE_IDS.publicApp, scenarios: { disabled: true } },
      },
    ],
  );

  it('AADSTS7000222: expired client secret', async () => {
    const secret = 'expired-secret-value-0001';
    const app = e.addApp({
      name: 'Expired secret app',
      type: 'web',
      secret,
      secretExpiresAt: Math.floor(Date.now() / 1000) - 3600,
      redirectUris: ['https://expired.example.com/cb'],
    });
    await expectError(
      await token(e, {
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_secret: secret,
        scope: 'https://graph.microsoft.com/.default',
      }),
      { status: 401, error: 'invalid_client', code: 7000222 },
    );
  });

  it('AADSTS700027 / 700021 / 700024: client assertions that are not a JWT, forged, for another client or expired', async () => {
    const assertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
    await expectError(
      await token(e, {
        ...codeGrant,
        client_id: SAMPLE_IDS.webApp,
        client_assertion_type: assertionType,
        client_assertion: 'not-a-jwt',
      }),
      { status: 401, error: 'invalid_client', code: 700027 },
    );
    const registered = await createSelfSignedKey('assertion-test');
    const app = e.addApp({
      name: 'Certificate app',
      type: 'daemon',
      certificates: [registered.certificatePem],
      applicationPermissions: { 'https://graph.microsoft.com': ['User.Read.All'] },
    });
    const x5t = thumbprints(registered.certificatePem).x5t;
    const sign = (key: KeyObject, o: { iss?: string; exp?: number } = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ jti: randomUUID() })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5t })
        .setIssuer(o.iss ?? app.clientId)
        .setSubject(o.iss ?? app.clientId)
        .setAudience(tokenUrl(e))
        .setIssuedAt(now - 1200)
        .setNotBefore(now - 1200)
        .setExpirationTime(o.exp ?? now + 600)
        .sign(key);
    };
    const present = async (assertion: string) =>
      token(e, {
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_assertion_type: assertionType,
        client_assertion: assertion,
        scope: 'https://graph.microsoft.com/.default',
      });
    const realKey = createPrivateKey(registered.privateKeyPem);
    // baseline: a correct assertion works
    await tokensOf(await present(await sign(realKey)));
    // signed with another key, but naming the registered certificate's thumbprint
    const { privateKey: otherKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await expectError(await present(await sign(otherKey)), {
      status: 401,
      error: 'invalid_client',
      code: 700027,
    });
    await expectError(await present(await sign(realKey, { iss: SAMPLE_IDS.daemonApp })), {
      status: 401,
      error: 'invalid_client',
      code: 700021,
    });
    await expectError(await present(await sign(realKey, { exp: Math.floor(Date.now() / 1000) - 900 })), {
      status: 401,
      error: 'invalid_client',
      code: 700024,
    });
  });
});
