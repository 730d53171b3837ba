import type {
  AccessTokenRecord,
  AuthorizeTransaction,
  CodeRecord,
  DeviceCodeRecord,
  RefreshTokenRecord,
  SsoSession,
} from './records.js';
import { Stats } from './stats.js';
import { TtlStore } from './ttl-store.js';

/** Everything the emulator remembers between requests; every store is bounded in time and size. */
export interface EmulatorState {
  transactions: TtlStore<AuthorizeTransaction>;
  codes: TtlStore<CodeRecord>;
  deviceCodes: TtlStore<DeviceCodeRecord>;
  /** user code → device code */
  userCodes: TtlStore<string>;
  sessions: TtlStore<SsoSession>;
  refreshTokens: TtlStore<RefreshTokenRecord>;
  accessTokens: TtlStore<AccessTokenRecord>;
  revokedGrants: TtlStore<true>;
  /**
   * user id → when an admin revoked their grants (ms): refuses that user's access tokens issued before then
   * even once their records have left `accessTokens` (kept for an access token lifetime).
   */
  revokedUsers: TtlStore<number>;
  /** client assertion `jti`s already used (replay protection) */
  assertionIds: TtlStore<true>;
  /** `${userId}|${clientId}` → consented `${resourceAppId}/${value}` */
  consents: Map<string, Set<string>>;
  stats: Stats;
}

export function createState(): EmulatorState {
  return {
    transactions: new TtlStore(20_000),
    codes: new TtlStore(50_000),
    deviceCodes: new TtlStore(20_000),
    userCodes: new TtlStore(20_000),
    sessions: new TtlStore(20_000),
    refreshTokens: new TtlStore(200_000),
    accessTokens: new TtlStore(100_000),
    revokedGrants: new TtlStore(200_000),
    revokedUsers: new TtlStore(20_000),
    assertionIds: new TtlStore(100_000),
    consents: new Map(),
    stats: new Stats(),
  };
}

/** Drops expired entries; codes are kept a little past expiry so a late redemption reads "expired". */
export function sweepState(state: EmulatorState, now = Date.now()): void {
  state.transactions.sweep(now);
  state.codes.sweep(now, 10 * 60_000);
  state.deviceCodes.sweep(now, 10 * 60_000);
  state.userCodes.sweep(now);
  state.sessions.sweep(now);
  state.refreshTokens.sweep(now);
  state.accessTokens.sweep(now);
  state.revokedGrants.sweep(now);
  state.revokedUsers.sweep(now);
  state.assertionIds.sweep(now);
}
