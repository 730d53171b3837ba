import { LinesError } from './lines-error.js';

/** A config that cannot be used; an invalid one names each problem on a line of its own. */
export class DirectoryConfigError extends LinesError {
  override name = 'DirectoryConfigError';
}
