// Assertions shared by the library's tests.
import assert from 'node:assert/strict';
import { TokenloopError } from 'tokenloop';

/**
 * Awaits `promise`, expecting a TokenloopError with `code` (and a message matching `pattern`); returns it.
 * Also checks the message carries no token-looking value (JWTs, the scripted provider's at-/rt- tokens).
 */
export async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
  pattern?: RegExp,
): Promise<TokenloopError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof TokenloopError, `expected a TokenloopError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (pattern) assert.match(err.message, pattern);
    assert.doesNotMatch(
      err.message,
      /\bat-\d+-[0-9a-f]|\brt-\d+-[0-9a-f]|eyJ[\w-]{10,}\.[\w-]{10,}/,
      'no token in the message',
    );
    return err;
  }
  assert.fail(`expected ${code}`);
}
