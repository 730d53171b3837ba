// The structured details a program matches instead of an error's wording (which may change): `reason` and
// `origin` on the errors the CLI's fixes answer (an untrusted TLS certificate, plain http off loopback, an
// account of another tenant at Entra, AADSTS50020). Their messages stay as they were.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OAuthError, TokenloopError, createHttpFetch } from '../../src/index.js';
import { oauthErrorDetailsFromBody, toOAuthError } from '../../src/errors/classify.js';
import { type HttpsEmulator, startHttpsEmulator } from '../azure/support/https-emulator.js';

/** The error `p` rejects with (it must reject). */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => assert.fail('expected a rejection'),
    (err: unknown) => err,
  );
}

describe("an https server whose certificate authority is not trusted here: reason 'tls-untrusted'", () => {
  let https: HttpsEmulator;
  before(async () => {
    https = await startHttpsEmulator();
  });
  after(() => https.close());

  it("CONFIGURATION with reason 'tls-untrusted' and the server's origin; the message as before", async () => {
    const origin = new URL(https.em.url).origin;
    const err = await rejection(
      createHttpFetch()(`${https.em.url}/organizations/v2.0/.well-known/openid-configuration`),
    );
    assert.ok(err instanceof TokenloopError, String(err));
    assert.equal(err.code, 'CONFIGURATION');
    assert.equal(err.reason, 'tls-untrusted');
    assert.equal(err.origin, origin);
    assert.match(
      err.message,
      new RegExp(`^cannot verify the TLS certificate of ${origin.replaceAll('.', '\\.')}: `),
    );
  });

  it('the same server with its certificate authority trusted: no error at all', async () => {
    const response = await createHttpFetch({ ca: https.ca })(
      `${https.em.url}/organizations/v2.0/.well-known/openid-configuration`,
    );
    assert.equal(response.status, 200);
    await response.body?.cancel();
  });
});

it("plain http off loopback: CONFIGURATION with reason 'https-required' and the origin; the message as before", async () => {
  // Refused before any connection is made: nothing is sent to the (reserved, example) host.
  const err = await rejection(createHttpFetch()('http://login.example.com/organizations/v2.0'));
  assert.ok(err instanceof TokenloopError, String(err));
  assert.equal(err.code, 'CONFIGURATION');
  assert.equal(err.reason, 'https-required');
  assert.equal(err.origin, 'http://login.example.com');
  assert.equal(
    err.message,
    'Endpoint must use https (plain http is only allowed on loopback): http://login.example.com',
  );
});

it("Entra's AADSTS50020 (an account of another tenant): an OAuthError with reason 'not-tenant-member'", () => {
  const description =
    "AADSTS50020: User account 'carol@fabrikam.example' from identity provider does not exist in tenant 'Contoso'.";
  for (const body of [
    { error: 'invalid_request', error_description: description, error_codes: [50020] },
    { error: 'invalid_request', error_description: description }, // the number from the description alone
    { error: 'invalid_request', error_description: description, error_codes: [90014, 50020] }, // not the first
  ]) {
    const details = oauthErrorDetailsFromBody(body, 400);
    assert.ok(details);
    const err = toOAuthError(details);
    assert.ok(err instanceof OAuthError);
    assert.equal(err.reason, 'not-tenant-member', JSON.stringify(body));
    assert.equal(err.message, `invalid_request: ${description}`);
  }
  // Another AADSTS number, or none: no reason.
  const other = toOAuthError({ error: 'invalid_grant', status: 400, aadsts: [70008] });
  assert.equal(other.reason, undefined);
  assert.equal(toOAuthError({ error: 'invalid_grant', status: 400 }).reason, undefined);
});
