import type { Server } from 'node:http';
import {
  addApp,
  addUser,
  type DirectorySummary,
  setScenarios,
  summarizeDirectory,
} from './admin/operations.js';
import { revokeUserGrants } from './admin/revoke.js';
import type { EmulatorContext } from './context.js';
import type { App, Scenarios, User } from './directory/model.js';
import type { AppInput, UserInput } from './directory/schema.js';
import { parseCiTokenRequest } from './federation/ci-token-request.js';
import { type CiToken, type CiTokenRequest, mintCiToken } from './federation/local-issuer.js';
import { sweepState } from './state/state.js';

/** A running emulator. */
export interface RunningEmulator {
  /**
   * Base URL, e.g. `http://127.0.0.1:8400`, or the `publicUrl` when given; authorities are `${url}/${tenant}`.
   */
  url: string;
  /** The local CA certificate to trust when started with https; null otherwise. */
  caCertFile: string | null;
  /** Tenants, apps (with secrets) and users (with passwords) as they are now. */
  directory(): DirectorySummary;
  /**
   * Token-endpoint request counts by grant type and client id, the CORS preflights received, and the token
   * requests declaring cp1 or answering a claims challenge (`nbf`).
   */
  stats(): {
    token_requests: Record<string, Record<string, number>>;
    cors_preflights: number;
    claims_requests: { cp1: number; nbf: number };
  };
  resetStats(): void;
  /** New signing key; the old one stays in the JWKS for the grace period. Returns the new `kid`. */
  rotateKeys(): Promise<string>;
  addApp(input: AppInput): App;
  addUser(input: UserInput): User;
  /** Replaces the scenario switches of a user or an app. */
  setScenarios(target: { user?: string; app?: string }, scenarios: Scenarios): void;
  /**
   * Revokes everything a user holds: refresh and access tokens (introspection answers `active: false`),
   * unredeemed authorization codes, approved device codes not yet picked up, sign-ins in progress and SSO
   * sessions. Returns how many grants were revoked.
   */
  revokeUserGrants(user: string): number;
  /**
   * S137: a CI token (an external OIDC token, as GitHub Actions or Kubernetes hands one out) of the emulator's
   * own issuer `${url}/issuers/{issuer}`, for a federated identity credential (`AZURE_FEDERATED_TOKEN_FILE`).
   */
  ciToken(request: CiTokenRequest): Promise<CiToken>;
  /**
   * Drops expired entries now, as the emulator does on its own every 30 s; `at` (ms since the epoch, default
   * now) shows what a later sweep would drop. Returns how many entries each in-memory store still holds.
   */
  sweep(at?: number): Record<string, number>;
  close(): Promise<void>;
}

/** The handle of a started emulator, over its context, its server and its sweeper. */
export function runningEmulator(
  ctx: EmulatorContext,
  server: Server,
  caCertFile: string | null,
  sweeper: NodeJS.Timeout,
): RunningEmulator {
  return {
    url: ctx.url,
    caCertFile,
    directory: () => summarizeDirectory(ctx),
    stats: () => ctx.state.stats.toJSON(),
    resetStats: () => ctx.state.stats.reset(),
    rotateKeys: async () => (await ctx.keys.rotate()).kid,
    addApp: (input) => addApp(ctx, input),
    addUser: (input) => addUser(ctx, input),
    setScenarios: (target, scenarios) => setScenarios(ctx, target, scenarios),
    revokeUserGrants: (user) => revokeUserGrants(ctx, user),
    ciToken: (request) => mintCiToken(ctx, parseCiTokenRequest(request)),
    sweep: (at = Date.now()) => sweepNow(ctx, at),
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(sweeper);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Sweeps as at `at`; answers how many entries each in-memory store still holds. */
function sweepNow(ctx: EmulatorContext, at: number): Record<string, number> {
  sweepState(ctx.state, at);
  const { consents, stats: _stats, ...stores } = ctx.state;
  const sizes: Record<string, number> = { consents: consents.size };
  for (const [name, store] of Object.entries(stores)) sizes[name] = store.size;
  return sizes;
}
