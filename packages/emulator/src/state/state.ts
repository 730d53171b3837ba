import type {
  AccessTokenRecord,
  AuthorizeTransaction,
  CodeRecord,
  DeviceCodeRecord,
  DeviceEntry,
  RefreshTokenRecord,
  SignOutRequest,
  SsoSession,
} from './records.js';
import { BoundedMap } from './bounded-map.js';
import { Stats } from './stats.js';
import { FailureThrottle } from './throttle.js';
import { RevocationStore } from './revocation-store.js';
import { TtlStore } from './ttl-store.js';

/** Everything the emulator remembers between requests; every store is bounded in time and size. */
export interface EmulatorState {
  transactions: TtlStore<AuthorizeTransaction>;
  codes: TtlStore<CodeRecord>;
  deviceCodes: TtlStore<DeviceCodeRecord>;
  /** user code → device code */
  userCodes: TtlStore<string>;
  /** device-code pages shown, by page id (S85) */
  deviceEntries: TtlStore<DeviceEntry>;
  /** sign-outs waiting for the user's confirmation, by page id (S85) */
  signOuts: TtlStore<SignOutRequest>;
  /** S87: wrong user codes per client address, and overall */
  wrongCodesPerClient: FailureThrottle;
  wrongCodesOverall: FailureThrottle;
  sessions: TtlStore<SsoSession>;
  refreshTokens: TtlStore<RefreshTokenRecord>;
  accessTokens: TtlStore<AccessTokenRecord>;
  /** grant id → when it was revoked (ms); S157: deny data, never forgotten while live (RevocationStore). */
  revokedGrants: RevocationStore;
  /**
   * user id → when an admin revoked their grants (ms): refuses that user's access tokens issued before then
   * even once their records have left `accessTokens` (kept for an access token lifetime).
   */
  revokedUsers: RevocationStore;
  /**
   * S157: `${userId}|${clientId}` → when a grant of that user to that app was revoked (ms): refuses the pair's
   * access tokens issued before then once their records have left `accessTokens` (kept for the longest access
   * token lifetime). Deny data: a full store widens the denial, never forgets one (RevocationStore).
   */
  revokedUserApps: RevocationStore;
  /** client assertion `jti`s already used (replay protection) */
  assertionIds: TtlStore<true>;
  /**
   * `${userId}|${clientId}` → consented `${resourceAppId}/${value}`. S93: bounded like every store (the oldest
   * forgotten first: that user is asked to consent again).
   */
  consents: BoundedMap<string, Set<string>>;
  stats: Stats;
}

/** `accessTokenStoreSize`: a test-only knob (S157: to see a token's record evicted without 100,000 requests). */
export function createState(accessTokenStoreSize = 100_000): EmulatorState {
  return {
    transactions: new TtlStore(20_000),
    codes: new TtlStore(50_000),
    deviceCodes: new TtlStore(20_000),
    userCodes: new TtlStore(20_000),
    deviceEntries: new TtlStore(20_000),
    signOuts: new TtlStore(20_000),
    // S87: 5 wrong codes at once per client, then one every 10 s; 20 at once overall, then one a second. User
    // codes have 28^9 ≈ 10^13 values, so at most ~86,400 guesses a day leave guessing a live one hopeless.
    wrongCodesPerClient: new FailureThrottle({ burst: 5, perSecond: 0.1 }, 10_000),
    wrongCodesOverall: new FailureThrottle({ burst: 20, perSecond: 1 }, 1),
    sessions: new TtlStore(20_000),
    refreshTokens: new TtlStore(200_000),
    accessTokens: new TtlStore(accessTokenStoreSize),
    revokedGrants: new RevocationStore(200_000),
    revokedUsers: new RevocationStore(20_000),
    revokedUserApps: new RevocationStore(100_000),
    assertionIds: new TtlStore(100_000),
    consents: new BoundedMap(100_000),
    stats: new Stats(),
  };
}

/** Codes are kept this long past their expiry, so that a late redemption reads "expired" and not "unknown". */
const KEPT_PAST_EXPIRY: Partial<Record<keyof EmulatorState, number>> = {
  codes: 10 * 60_000,
  deviceCodes: 10 * 60_000,
};

interface Sweepable {
  sweep(now: number, keepExpiredFor?: number): void;
}

/** Drops expired entries from every store of the state that has any (a store added later is swept too). */
export function sweepState(state: EmulatorState, now = Date.now()): void {
  for (const [name, store] of Object.entries(state) as [keyof EmulatorState, unknown][]) {
    if (typeof (store as Partial<Sweepable>).sweep === 'function')
      (store as Sweepable).sweep(now, KEPT_PAST_EXPIRY[name] ?? 0);
  }
}
