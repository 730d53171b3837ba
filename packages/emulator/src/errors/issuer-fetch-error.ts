import { EmulatorError } from './emulator-error.js';

/** S135: an issuer the emulator will not ask (not loopback, not http(s), an answer too large or too slow). */
export class IssuerFetchError extends EmulatorError {
  override name = 'IssuerFetchError';
}
