// S186: "needs sign-in" has one home, the library's `needsSignIn` (errors/errors.ts): silent renewal turns a
// provider error into INTERACTION_REQUIRED exactly when that rule says the error needs a sign-in.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type ErrorClass, OAuthError, TokenloopError, memoryStore, needsSignIn } from '../../src/index.ts';
import { createSilentAcquirer } from '../../src/cache/silent.ts';

/** Every error class: a Record over the union, so the compiler asks for a new class here. */
const EVERY_CLASS: Record<ErrorClass, true> = {
  interaction_required: true,
  consent_required: true,
  mfa_required: true,
  misconfiguration: true,
  user_blocked: true,
  expired_grant: true,
  transient: true,
  declined: true,
  unknown: true,
};

test('S186 silent renewal asks for a sign-in exactly for the errors the library says need one, for every error class', async () => {
  for (const errorClass of Object.keys(EVERY_CLASS) as ErrorClass[]) {
    const thrown = new OAuthError({ error: 'x', status: 400 }, errorClass, undefined);
    const acquire = createSilentAcquirer({
      store: memoryStore(),
      mode: 'app',
      clientId: 'c',
      authority: 'https://login.invalid/t',
      normalizeScopes: (s) => [...s],
      accountAfterRefresh: () => assert.fail('no refresh succeeds'),
      refresh: () => Promise.reject(thrown),
    });
    const err: unknown = await acquire({
      key: 'k',
      resource: 'r',
      matchScopes: ['s'],
      requestScopes: ['s'],
    }).then(
      () => assert.fail('no token'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof TokenloopError, errorClass);
    assert.equal(err.code === 'INTERACTION_REQUIRED', needsSignIn(thrown), errorClass);
    assert.equal(needsSignIn(err), needsSignIn(thrown), errorClass);
  }
  assert.equal(needsSignIn(new OAuthError({ error: 'x', status: 400 }, 'user_blocked', undefined)), true);
});

test('S186 sweep: no library source outside errors/ lists the sign-in error classes again', () => {
  const src = join(import.meta.dirname, '..', '..', 'src');
  const found: string[] = [];
  for (const file of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts') || file.startsWith('errors')) continue;
    const text = readFileSync(join(src, file), 'utf8').replace(/\/\/.*|\/\*[\s\S]*?\*\//g, '');
    if (/['"](consent_required|mfa_required|expired_grant|user_blocked)['"]/.test(text)) found.push(file);
  }
  assert.deepEqual(found, []);
});
