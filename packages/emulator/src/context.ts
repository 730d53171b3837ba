import type { Directory } from './directory/model.js';
import type { SigningKeys } from './keys/signing-keys.js';
import type { EmulatorState } from './state/state.js';

export interface EmulatorSettings {
  /** Access token lifetime in seconds (`expires_in`). */
  accessTokenLifetime: number;
  /**
   * S140: lifetime in seconds of an access token for a resource that evaluates access continuously (the emulator's
   * Graph) asked by a client declaring capability cp1 (Entra: 20 to 28 hours; 24 here). Others keep the one above.
   */
  caeAccessTokenLifetime: number;
  idTokenLifetime: number;
  /** Refresh token inactivity lifetime in seconds (Entra: 90 days). */
  refreshTokenLifetime: number;
  /**
   * Fixed lifetime in seconds of refresh tokens issued to single-page apps (a code sent to a `spa` redirect
   * URI), counted from the sign-in and carried over by every refresh (Entra: 24 hours, AADSTS700084 after).
   */
  spaRefreshTokenLifetime: number;
  codeLifetime: number;
  deviceCodeLifetime: number;
  deviceCodeInterval: number;
  /** How long a rotated-out signing key stays in the JWKS. */
  keyGraceSeconds: number;
  /**
   * Test-only: how many issued access tokens' records the emulator keeps (default 100,000), to see a record
   * evicted cheaply (S157). Not a config-file setting.
   */
  accessTokenStoreSize?: number;
}

export const DEFAULT_SETTINGS: EmulatorSettings = {
  accessTokenLifetime: 3599,
  caeAccessTokenLifetime: 24 * 3600,
  idTokenLifetime: 3600,
  refreshTokenLifetime: 90 * 86_400,
  spaRefreshTokenLifetime: 24 * 3600,
  codeLifetime: 600,
  deviceCodeLifetime: 900,
  deviceCodeInterval: 5,
  keyGraceSeconds: 3600,
};

/** What every request handler gets: the directory, keys, state and settings of one running emulator. */
export interface EmulatorContext {
  url: string;
  secure: boolean;
  directory: Directory;
  settings: EmulatorSettings;
  keys: SigningKeys;
  state: EmulatorState;
  /** User every authorize request and device code is completed as, without a page. */
  autoLoginUserId: string | undefined;
  log: (line: string) => void;
}
