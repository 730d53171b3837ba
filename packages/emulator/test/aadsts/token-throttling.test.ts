import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, SAMPLE_SECRETS, startEmulator } from '../../src/index.ts';
import { expectError } from './entra-errors.ts';
import { TIMEOUT, token, tokensOf } from './token-calls.ts';

/** Throttling (429) and outages (500, 503) at the token endpoint, switched on by app scenarios. */

describe('throttling and outages at the token endpoint', TIMEOUT, () => {
  let e: RunningEmulator;
  before(async () => {
    e = await startEmulator();
  });
  after(() => e.close());

  const request = {
    grant_type: 'client_credentials',
    client_id: SAMPLE_IDS.daemonApp,
    client_secret: SAMPLE_SECRETS.daemonApp,
    scope: 'https://graph.microsoft.com/.default',
  };

  it('429 with Retry-After (scenario throttleSeconds)', async () => {
    e.setScenarios({ app: SAMPLE_IDS.daemonApp }, { throttleSeconds: 7 });
    try {
      const res = await token(e, request);
      assert.equal(res.headers.get('retry-after'), '7');
      await expectError(res, { status: 429, error: 'temporarily_unavailable', code: 90055 });
    } finally {
      e.setScenarios({ app: SAMPLE_IDS.daemonApp }, {});
    }
    await tokensOf(await token(e, request));
  });

  it('500 server_error and 503 temporarily_unavailable (scenario serverError)', async () => {
    try {
      e.setScenarios({ app: SAMPLE_IDS.daemonApp }, { serverError: 500 });
      await expectError(await token(e, request), { status: 500, error: 'server_error', code: 50000 });
      e.setScenarios({ app: SAMPLE_IDS.daemonApp }, { serverError: 503 });
      const res = await token(e, request);
      assert.equal(res.headers.get('retry-after'), '1');
      await expectError(res, { status: 503, error: 'temporarily_unavailable', code: 50000 });
    } finally {
      e.setScenarios({ app: SAMPLE_IDS.daemonApp }, {});
    }
  });
});
