import { LinesError } from './lines-error.js';

/** A problem with the options or config given to the emulator: a user error, reported without a stack. */
export class EmulatorOptionsError extends LinesError {
  override name = 'EmulatorOptionsError';
}
