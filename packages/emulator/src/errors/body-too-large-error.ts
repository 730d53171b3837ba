import { EmulatorError } from './emulator-error.js';

/** A request body past what the emulator reads (http/request.ts, MAX_BODY_BYTES): answered 413. */
export class BodyTooLargeError extends EmulatorError {
  override name = 'BodyTooLargeError';
}
