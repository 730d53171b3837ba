// The names under which a WebAuth keeps its records in its session store (the web layer's own naming module),
// for tests that look into a store or change what it holds.
import type { WebAuth } from '@tokenloop/web';
import { type RecordNames, recordNames } from '../../src/session/record-names.js';

export function recordNamesOf(auth: WebAuth): RecordNames {
  return recordNames({
    authority: auth.client.authority,
    clientId: auth.options.clientId,
    origin: auth.options.origin,
  });
}
