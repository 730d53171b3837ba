import type { StoreWarning } from '../../model/cache-store.js';

/** The default `onWarning` of the stores: one line on stderr, prefixed `tokenloop:`. Messages carry no secrets. */
export const warnOnStderr: StoreWarning = (message) => {
  process.stderr.write(`tokenloop: ${message}\n`);
};
