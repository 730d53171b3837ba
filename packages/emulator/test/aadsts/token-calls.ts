import * as assert from 'node:assert/strict';
import { it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, SAMPLE_SECRETS } from '../../src/index.ts';
import { authorizeUrl, pkce } from '../support/flows.ts';
import { GRAPH_SCOPE, type Json, T, WEB_REDIRECT } from '../support/web-sign-in.ts';
import { type Expected, expectError, queryParams } from './entra-errors.ts';
import { post, request } from './tx-browser.ts';

/** The requests the AADSTS tests make of the token endpoint, and the sign-ins they need codes and tokens from. */

export const PUBLIC_REDIRECT = 'http://127.0.0.1:45999/';
/** The bound of each suite of this folder. */
export const TIMEOUT = { timeout: 30_000 };

/** The scenario switches of `RunningEmulator.setScenarios`. */
export type Scenarios = Parameters<RunningEmulator['setScenarios']>[1];

export function tokenUrl(e: RunningEmulator, tenant: string = T): string {
  return `${e.url}/${tenant}/oauth2/v2.0/token`;
}

export function token(
  e: RunningEmulator,
  params: Record<string, string>,
  tenant: string = T,
  headers: Record<string, string> = {},
) {
  return post(tokenUrl(e, tenant), params, headers);
}

/** A successful token response; on failure, fails with the (token-free) error description. */
export async function tokensOf(res: Response): Promise<Json> {
  const body = (await res.json()) as Json;
  if (res.status !== 200)
    assert.fail(`token request failed (${res.status}): ${String(body.error_description)}`);
  return body;
}

/** A code from an auto-login emulator (authorize answers 302 straight away). */
export async function autoCode(
  e: RunningEmulator,
  o: { clientId: string; redirectUri: string; scope?: string; challenge?: string },
): Promise<string> {
  const res = await request(
    authorizeUrl(e.url, T, {
      client_id: o.clientId,
      response_type: 'code',
      redirect_uri: o.redirectUri,
      scope: o.scope ?? GRAPH_SCOPE,
      state: 's1',
      ...(o.challenge ? { code_challenge: o.challenge, code_challenge_method: 'S256' } : {}),
    }),
  );
  const p = queryParams(res, o.redirectUri);
  assert.equal(p.get('error'), null, p.get('error_description') ?? '');
  const code = p.get('code');
  assert.ok(code);
  return code;
}

/** Web app tokens (code + PKCE + secret) for alice from an auto-login emulator, for `scope` (Graph's by default). */
export async function webTokens(e: RunningEmulator, scope?: string): Promise<Json> {
  const { verifier, challenge } = pkce();
  const code = await autoCode(e, {
    clientId: SAMPLE_IDS.webApp,
    redirectUri: WEB_REDIRECT,
    scope,
    challenge,
  });
  return tokensOf(
    await token(e, {
      grant_type: 'authorization_code',
      client_id: SAMPLE_IDS.webApp,
      client_secret: SAMPLE_SECRETS.webApp,
      code,
      redirect_uri: WEB_REDIRECT,
      code_verifier: verifier,
    }),
  );
}

/** The web app redeems a refresh token. */
export function refresh(e: RunningEmulator, refreshToken: unknown) {
  return token(e, {
    grant_type: 'refresh_token',
    client_id: SAMPLE_IDS.webApp,
    client_secret: SAMPLE_SECRETS.webApp,
    refresh_token: String(refreshToken),
  });
}

/** Token requests (one, or several alike) that must all get this JSON error. */
export interface TokenErrorCase {
  name: string;
  requests: { params: Record<string, string>; tenant?: string; headers?: Record<string, string> }[];
  expected: Expected;
  /** An app scenario switched on for the case (cleared after). */
  appScenario?: { app: string; scenarios: Scenarios };
}

/** One test per case, against the suite's emulator (`emulator()` is read when the test runs). */
export function tokenErrorTests(emulator: () => RunningEmulator, cases: TokenErrorCase[]): void {
  for (const c of cases) {
    it(c.name, async () => {
      const e = emulator();
      if (c.appScenario) e.setScenarios({ app: c.appScenario.app }, c.appScenario.scenarios);
      try {
        for (const { params, tenant, headers } of c.requests) {
          await expectError(await token(e, params, tenant, headers), c.expected);
        }
      } finally {
        if (c.appScenario) e.setScenarios({ app: c.appScenario.app }, {});
      }
    });
  }
}
