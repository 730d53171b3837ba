import { BodyTooLargeError } from './body-too-large-error.js';
import { DirectoryConfigError } from './directory-config-error.js';
import { DirectoryFullError } from './directory-full-error.js';

/** The JSON answer to an error: its status, body and any extra headers. */
export interface ErrorAnswer {
  status: number;
  body: { error: string; error_description: string };
  headers?: Record<string, string>;
}

/**
 * The one mapping from the emulator's own errors (other than EntraError, which carries its status) to an HTTP
 * answer, used by the listener (http/failure.ts) for every route, the admin API's included. Undefined for any
 * other error: the listener's to judge (a client gone, a bug).
 */
export function errorAnswer(err: unknown): ErrorAnswer | undefined {
  if (err instanceof BodyTooLargeError) {
    return {
      status: 413,
      body: { error: 'invalid_request', error_description: 'Request body too large.' },
      headers: { Connection: 'close' },
    };
  }
  // S93: the directory is at a bound: a state of the emulator, not a fault of the request.
  if (err instanceof DirectoryFullError) {
    return { status: 409, body: { error: 'directory_full', error_description: err.message } };
  }
  if (err instanceof DirectoryConfigError) {
    return { status: 400, body: { error: 'invalid_request', error_description: err.message } };
  }
  return undefined;
}
