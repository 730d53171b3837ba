import { EmulatorError } from './emulator-error.js';

/**
 * An error whose message has several lines: what is wrong, then one problem per line. `message` has them joined
 * (the problems indented below the first line); `lines` keeps them apart, so that a program printing the message
 * where line breaks must be escaped (the tokenloop command, S74) prints each line as a line of its own.
 */
export class LinesError extends EmulatorError {
  readonly lines: readonly string[];
  constructor(message: string | readonly string[], options?: ErrorOptions) {
    const lines = typeof message === 'string' ? [message] : [...message];
    super(lines.join('\n  '), options);
    this.lines = lines;
  }
}
