import { describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, SAMPLE_SECRETS } from '../../src/index.ts';
import { withEmulator } from '../support/harness.ts';
import { expectError } from './entra-errors.ts';
import { TIMEOUT, token, tokensOf, webTokens } from './token-calls.ts';

/** The on-behalf-of grant: assertions that are not the API's token, revoked or expired. */

describe('AADSTS errors in the on-behalf-of flow', TIMEOUT, () => {
  const API_SCOPE = `openid offline_access api://${SAMPLE_IDS.apiApp}/access_as_user`;

  function obo(e: RunningEmulator, assertion: string) {
    return token(e, {
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      requested_token_use: 'on_behalf_of',
      client_id: SAMPLE_IDS.apiApp,
      client_secret: SAMPLE_SECRETS.apiApp,
      assertion,
      scope: 'https://graph.microsoft.com/User.Read',
    });
  }

  /** A token for the API (alice signs in to the web app asking for the API's scope). */
  async function apiToken(e: RunningEmulator): Promise<string> {
    return String((await webTokens(e, API_SCOPE)).access_token);
  }

  it('AADSTS50013: an assertion that is not a token for this API; AADSTS50173 once the grant is revoked', async () => {
    await withEmulator({ autoLogin: 'alice' }, async (e) => {
      await expectError(await obo(e, 'not-a-token'), { status: 400, error: 'invalid_grant', code: 50013 });
      const graphToken = String((await webTokens(e)).access_token);
      await expectError(await obo(e, graphToken), { status: 400, error: 'invalid_grant', code: 50013 });
      const assertion = await apiToken(e);
      await tokensOf(await obo(e, assertion)); // baseline: the API's own token works
      e.revokeUserGrants('alice');
      await expectError(await obo(e, assertion), {
        status: 400,
        error: 'invalid_grant',
        code: 50173,
        suberror: 'bad_token',
      });
    });
  });

  it('AADSTS500133: an expired assertion', async () => {
    await withEmulator({ autoLogin: 'alice', accessTokenLifetime: 1 }, async (e) => {
      const assertion = await apiToken(e);
      await new Promise((r) => setTimeout(r, 1100));
      await expectError(await obo(e, assertion), { status: 400, error: 'invalid_grant', code: 500133 });
    });
  });
});
