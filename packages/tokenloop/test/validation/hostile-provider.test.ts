// A hostile provider (S25–S43): forged, mis-addressed and mis-signed ID tokens served through the real client
// path (client → oauth4webapi → tokenloop's own verification). Each is refused, nothing is cached, and no
// further request follows.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { type CryptoKey, SignJWT, exportJWK, generateKeyPair } from 'jose';
import { type TokenClient, TokenloopError, createTokenClient } from 'tokenloop';
import { createKeySet, validateIdToken } from 'tokenloop/validation';
import { type ScriptedProvider, startScriptedProvider } from '../support/scripted-provider.js';
import { scriptedSignIn } from '../support/scripted-sign-in.js';

const now = () => Math.floor(Date.now() / 1000);
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** An ID token signed by the provider's own key, with `claims` overriding the good defaults. */
function sign(
  p: ScriptedProvider,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { alg: 'RS256', kid: 'k1' },
  key: CryptoKey = p.signingKey,
): Promise<string> {
  const payload = { iss: p.url, aud: p.clientId, sub: 'user-1', iat: now(), exp: now() + 3600, ...claims };
  for (const [k, v] of Object.entries(payload))
    if (v === undefined) delete (payload as Record<string, unknown>)[k];
  return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(key);
}

async function refused(
  p: ScriptedProvider,
  client: TokenClient,
  idToken: (nonce: string | undefined) => Promise<string>,
  code: string | string[],
  pattern?: RegExp,
  extra: { maxAge?: number } = {},
): Promise<void> {
  const before = p.log.length;
  try {
    await scriptedSignIn(p, client, { idToken, ...extra });
  } catch (err) {
    assert.ok(err instanceof TokenloopError, String(err));
    assert.ok((Array.isArray(code) ? code : [code]).includes(err.code), `${err.code}: ${err.message}`);
    if (pattern) assert.match(err.message, pattern);
    assert.deepEqual(await client.getAccounts(), [], 'nothing cached');
    const after = p.log.slice(before).map((r) => r.path);
    assert.ok(!after.includes('/userinfo'), 'no further calls');
    return;
  }
  assert.fail('the ID token was accepted');
}

describe('hostile provider: ID tokens (S25–S36)', () => {
  let p: ScriptedProvider;
  let client: TokenClient;
  beforeEach(async () => {
    p = await startScriptedProvider();
    client = createTokenClient({ issuer: p.url, clientId: p.clientId });
  });
  afterEach(() => p.close());

  it('accepts a correct ID token (the baseline the refusals below differ from by one thing)', async () => {
    const r = await scriptedSignIn(p, client, { idToken: (nonce) => sign(p, { nonce }) });
    assert.equal(r.account?.homeAccountId, `user-1@${p.url}`);
  });

  it('S25: iss mismatch', () =>
    refused(
      p,
      client,
      (nonce) => sign(p, { nonce, iss: 'https://evil.example' }),
      'TOKEN_VALIDATION',
      /iss/,
    ));
  it('S26: aud without the client id', () =>
    refused(p, client, (nonce) => sign(p, { nonce, aud: 'someone-else' }), 'TOKEN_VALIDATION', /aud/));
  it('S26: aud with an extra, untrusted audience', () =>
    refused(
      p,
      client,
      (nonce) => sign(p, { nonce, aud: [p.clientId, 'other-api'], azp: p.clientId }),
      'TOKEN_VALIDATION',
      /untrusted|aud/,
    ));
  it('S27: several aud and azp not this client', () =>
    refused(
      p,
      client,
      (nonce) => sign(p, { nonce, aud: [p.clientId, 'other-api'], azp: 'other-api' }),
      'TOKEN_VALIDATION',
      /azp/,
    ));
  it('S28: bad signature (signed by another key with the same kid)', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    await refused(
      p,
      client,
      (nonce) => sign(p, { nonce }, { alg: 'RS256', kid: 'k1' }, privateKey as CryptoKey),
      'TOKEN_VALIDATION',
      /signature/,
    );
  });
  it('S28: a tampered payload', () =>
    refused(
      p,
      client,
      async (nonce) => {
        const [h, , s] = (await sign(p, { nonce })).split('.');
        return `${h}.${b64({ iss: p.url, aud: p.clientId, sub: 'admin', iat: now(), exp: now() + 3600, nonce })}.${s}`;
      },
      'TOKEN_VALIDATION',
      /signature/,
    ));
  it('S29: alg none', () =>
    refused(
      p,
      client,
      async (nonce) =>
        `${b64({ alg: 'none' })}.${b64({ iss: p.url, aud: p.clientId, sub: 'u', iat: now(), exp: now() + 60, nonce })}.`,
      ['TOKEN_VALIDATION', 'INVALID_RESPONSE'],
      /alg|none|JWS/i,
    ));
  it('S29: HS256 signed with the RSA public key as the secret', () =>
    refused(
      p,
      client,
      async (nonce) => {
        const secret = new TextEncoder().encode(JSON.stringify(p.publicJwk));
        return new SignJWT({ iss: p.url, aud: p.clientId, sub: 'u', iat: now(), exp: now() + 60, nonce })
          .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
          .sign(secret);
      },
      ['TOKEN_VALIDATION', 'INVALID_RESPONSE'],
      /alg|HS256/i,
    ));
  it('S29: an algorithm the provider does not advertise (ES256 when only RS256 is)', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const ecJwk = { ...(await exportJWK(publicKey)), kid: 'e1' };
    p.on('/jwks', () => ({ body: { keys: [p.publicJwk, ecJwk] } }));
    await refused(
      p,
      client,
      (nonce) => sign(p, { nonce }, { alg: 'ES256', kid: 'e1' }, privateKey as CryptoKey),
      ['TOKEN_VALIDATION', 'INVALID_RESPONSE'],
      /alg|ES256/i,
    );
  });
  it('S30: expired beyond the leeway is refused; within the leeway accepted', async () => {
    await refused(
      p,
      client,
      (nonce) => sign(p, { nonce, iat: now() - 7200, exp: now() - 120 }),
      'TOKEN_VALIDATION',
      /expired|exp/,
    );
    const ok = await scriptedSignIn(p, client, {
      idToken: (nonce) => sign(p, { nonce, iat: now() - 3600, exp: now() - 30 }),
    });
    assert.ok(ok.account);
  });
  it('S30: iat missing', () =>
    refused(
      p,
      client,
      (nonce) => sign(p, { nonce, iat: undefined }),
      ['TOKEN_VALIDATION', 'INVALID_RESPONSE'],
      /iat/,
    ));
  it('S31: nonce mismatch', () =>
    refused(p, client, () => sign(p, { nonce: 'not-the-nonce' }), 'TOKEN_VALIDATION', /nonce/));
  it('S32: max_age sent and auth_time missing, or too old', async () => {
    await refused(
      p,
      client,
      (nonce) => sign(p, { nonce }),
      ['TOKEN_VALIDATION', 'INVALID_RESPONSE'],
      /auth_time/,
      { maxAge: 60 },
    );
    await refused(
      p,
      client,
      (nonce) => sign(p, { nonce, auth_time: now() - 3600 }),
      'TOKEN_VALIDATION',
      /auth_time|max_age|elapsed/,
      { maxAge: 60 },
    );
    const ok = await scriptedSignIn(p, client, {
      maxAge: 60,
      idToken: (nonce) => sign(p, { nonce, auth_time: now() - 5 }),
    });
    assert.ok(ok.account);
  });
  it('S33: sub missing', () =>
    refused(
      p,
      client,
      (nonce) => sign(p, { nonce, sub: undefined }),
      ['TOKEN_VALIDATION', 'INVALID_RESPONSE'],
      /sub/,
    ));

  it('S34: at_hash and c_hash must match (hybrid responses)', async () => {
    const keys = createKeySet(`${p.url}/jwks`, { fetch });
    const half = (v: string) => createHash('sha256').update(v).digest().subarray(0, 16).toString('base64url');
    const base = { keys, clientId: p.clientId, expectedIssuer: () => p.url };
    const good = await sign(p, { at_hash: half('the-access-token'), c_hash: half('the-code') });
    assert.equal(
      (await validateIdToken(good, { ...base, accessToken: 'the-access-token', code: 'the-code' })).sub,
      'user-1',
    );
    await assert.rejects(validateIdToken(good, { ...base, accessToken: 'another-token' }), /at_hash/);
    await assert.rejects(validateIdToken(good, { ...base, code: 'another-code' }), /c_hash/);
    await assert.rejects(validateIdToken(await sign(p, {}), { ...base, code: 'the-code' }), /c_hash/);
  });

  it('S36: a refreshed ID token for another sub (or issuer) is refused; the account and its refresh token stay', async () => {
    const login = await scriptedSignIn(p, client, { idToken: (nonce) => sign(p, { nonce }) });
    const before = await client.exportAccount(login.account!);
    p.on('/token', async () => ({
      body: await p.tokenResponse({ id_token: await sign(p, { sub: 'user-2' }) }),
    }));
    await assert.rejects(
      client.acquireTokenSilent({ scopes: ['read'], forceRefresh: true }),
      (e: unknown) =>
        e instanceof TokenloopError && e.code === 'TOKEN_VALIDATION' && /another user/.test(e.message),
    );
    const after = JSON.parse(await client.exportAccount(login.account!)) as { record: unknown };
    assert.deepEqual(after.record, (JSON.parse(before) as { record: unknown }).record);
  });

  it('S37: userinfo about another sub is discarded', async () => {
    await scriptedSignIn(p, client, { idToken: (nonce) => sign(p, { nonce }) });
    p.on('/userinfo', () => ({ body: { sub: 'user-2', name: 'Mallory' } }));
    await assert.rejects(
      client.getUserInfo(),
      (e: unknown) => e instanceof TokenloopError && e.code === 'TOKEN_VALIDATION',
    );
  });
});

describe('hostile provider: keys (S40–S43)', () => {
  let p: ScriptedProvider;
  beforeEach(async () => {
    p = await startScriptedProvider();
  });
  afterEach(() => p.close());
  const base = (keys: ReturnType<typeof createKeySet>) => ({
    keys,
    clientId: p.clientId,
    expectedIssuer: () => p.url,
  });

  it('S40: an unknown kid causes exactly one JWKS refetch, then rejection; a rotated-in key is found by that refetch', async () => {
    let t = Date.now();
    const keys = createKeySet(`${p.url}/jwks`, { fetch, now: () => t });
    await validateIdToken(await sign(p, {}), base(keys));
    assert.equal(p.count('/jwks'), 1);
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const rotated = await sign(p, {}, { alg: 'RS256', kid: 'k2' }, privateKey as CryptoKey);
    // Not published yet: one refetch, then rejection.
    await assert.rejects(validateIdToken(rotated, base(keys)), /not in the provider's JWKS/);
    assert.equal(p.count('/jwks'), 2);
    // Within the cooldown, another unknown kid does not refetch.
    await assert.rejects(validateIdToken(rotated, base(keys)), /not in the provider's JWKS/);
    assert.equal(p.count('/jwks'), 2);
    // The provider rotates (publishes k2); after the cooldown the unknown kid triggers one refetch that finds it.
    const published = { ...(await exportJWK(publicKey)), kid: 'k2', use: 'sig' };
    p.on('/jwks', () => ({ body: { keys: [p.publicJwk, published] } }));
    t += 31_000;
    assert.equal((await validateIdToken(rotated, base(keys))).sub, 'user-1');
    assert.equal(p.count('/jwks'), 3);
    assert.equal((await validateIdToken(rotated, base(keys))).sub, 'user-1');
    assert.equal(p.count('/jwks'), 3);
  });

  it('S40: keys are refetched when older than maxAge (periodic rotation)', async () => {
    let t = Date.now();
    const keys = createKeySet(`${p.url}/jwks`, { fetch, maxAgeMs: 60_000, now: () => t });
    await validateIdToken(await sign(p, {}), base(keys));
    t += 61_000;
    await validateIdToken(await sign(p, {}), base(keys));
    assert.equal(p.count('/jwks'), 2);
  });

  it('S41: no kid and one candidate key → accepted; several → the right one is found; none fits → rejected', async () => {
    const noKid = await sign(p, {}, { alg: 'RS256' });
    assert.equal(
      (await validateIdToken(noKid, base(createKeySet(`${p.url}/jwks`, { fetch })))).sub,
      'user-1',
    );
    const others = await Promise.all(
      [1, 2].map(async () => ({
        ...(await exportJWK((await generateKeyPair('RS256')).publicKey)),
        kid: undefined,
      })),
    );
    p.on('/jwks', () => ({ body: { keys: [...others, { ...p.publicJwk, kid: undefined }] } }));
    assert.equal(
      (await validateIdToken(noKid, base(createKeySet(`${p.url}/jwks`, { fetch })))).sub,
      'user-1',
    );
    const stranger = await sign(
      p,
      {},
      { alg: 'RS256' },
      (await generateKeyPair('RS256')).privateKey as CryptoKey,
    );
    await assert.rejects(
      validateIdToken(stranger, base(createKeySet(`${p.url}/jwks`, { fetch }))),
      /signature/,
    );
  });

  it('S42: garbage entries and unknown key types are ignored; the valid key is still used', async () => {
    p.on('/jwks', () => ({
      body: {
        keys: [
          null,
          'garbage',
          42,
          { kty: 'QUANTUM', kid: 'q' },
          { kid: 'no-kty' },
          { kty: 'RSA', kid: 'k1', n: '%%%', e: 'AQAB' },
          p.publicJwk,
        ],
      },
    }));
    const keys = createKeySet(`${p.url}/jwks`, { fetch });
    assert.equal((await validateIdToken(await sign(p, {}), base(keys))).sub, 'user-1');
  });

  it('S43: candidates are filtered by kty, alg, use and crv', async () => {
    // The only RSA key is for encryption: not a candidate for RS256.
    p.on('/jwks', () => ({ body: { keys: [{ ...p.publicJwk, use: 'enc' }] } }));
    await assert.rejects(
      validateIdToken(await sign(p, {}), base(createKeySet(`${p.url}/jwks`, { fetch }))),
      /JWKS/,
    );
    // A key declared for another alg is not used.
    p.on('/jwks', () => ({ body: { keys: [{ ...p.publicJwk, alg: 'PS256' }] } }));
    await assert.rejects(
      validateIdToken(await sign(p, {}), base(createKeySet(`${p.url}/jwks`, { fetch }))),
      /JWKS/,
    );
    // An EC P-384 key is not a candidate for ES256, even under the kid the token names.
    const es = await generateKeyPair('ES256');
    const p384 = await generateKeyPair('ES384');
    const p384Jwk = { ...(await exportJWK(p384.publicKey)), kid: 'e1' };
    p.on('/jwks', () => ({ body: { keys: [p.publicJwk, p384Jwk] } }));
    const es256 = await sign(p, {}, { alg: 'ES256', kid: 'e1' }, es.privateKey as CryptoKey);
    await assert.rejects(
      validateIdToken(es256, { ...base(createKeySet(`${p.url}/jwks`, { fetch })), algorithms: ['ES256'] }),
      /JWKS/,
    );
  });
});
