import { TokenloopError } from '../errors/errors.js';
import { tokenSyntaxProblem } from '../model/token-syntax.js';
import { type AccountRecord } from '../model/account-record.js';
import { parseAccountRecord } from './parse-record.js';

const FORMAT = 'tokenloop-account';
const VERSION = 1;

/**
 * Serialise an account with its refresh token for migration to another machine or tool. The result is a
 * credential: whoever holds it can act as the user until the refresh token expires — store it like a password.
 */
export function exportAccountRecord(record: AccountRecord): string {
  return JSON.stringify({ format: FORMAT, v: VERSION, exportedAt: new Date().toISOString(), record });
}

/** Parse and validate an exported account (never trusting its shape). */
export function parseExportedAccount(text: string): AccountRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TokenloopError('INVALID_ARGUMENT', 'the account export is not JSON');
  }
  if (typeof value !== 'object' || value === null || (value as { format?: unknown }).format !== FORMAT) {
    throw new TokenloopError('INVALID_ARGUMENT', 'this is not a tokenloop account export');
  }
  const v = (value as { v?: unknown }).v;
  if (v !== VERSION) {
    throw new TokenloopError(
      'INVALID_ARGUMENT',
      `unsupported account export version ${String(v)}; upgrade tokenloop`,
    );
  }
  const record = parseAccountRecord((value as { record?: unknown }).record);
  if (!record)
    throw new TokenloopError('INVALID_ARGUMENT', 'the account export is damaged (record fails validation)');
  // S72: tokens entering the cache from an export meet the same syntax as tokens from a provider.
  const problem =
    record.accessTokens.map((t) => tokenSyntaxProblem('access', t.secret)).find(Boolean) ??
    (record.refreshToken ? tokenSyntaxProblem('refresh', record.refreshToken.secret) : undefined);
  if (problem) throw new TokenloopError('INVALID_ARGUMENT', `the account export holds ${problem}`);
  return record;
}
