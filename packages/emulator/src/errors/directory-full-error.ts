import { DirectoryConfigError } from './directory-config-error.js';

/** S93: an addition that would take the directory past a bound (the admin API answers 409). */
export class DirectoryFullError extends DirectoryConfigError {
  override name = 'DirectoryFullError';
}
