// S167: the CLI knows the library's errors by their class (`instanceof TokenloopError`, from the light entry
// `tokenloop/errors`) and classifies them with the library's own rules (`needsSignIn`, `isTransient`), not by
// how an object looks. The fast path's bundle holds its own copy of the library, but it never reports an error
// (it declines, and the full command line answers with the one copy it loads), so no look-alike test is needed.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { type ErrorClass, OAuthError, TokenloopError, needsSignIn } from 'tokenloop';
import { DecodeError } from '../src/commands/decode/decode-jwt.ts';
import { PlainTransportRefused } from '../src/commands/mail/credential-guard.ts';
import { UpstreamFailure } from '../src/commands/mail/proxy/upstream.ts';
import { CliError, describeError, exitCodeOf } from '../src/errors.ts';
import { EXIT } from '../src/exit-codes.ts';

const SRC = join(import.meta.dirname, '..', 'src');

it('S167 library errors get their exit codes by class and code; a look-alike object is an unexpected error', () => {
  const oauth = (errorClass: ConstructorParameters<typeof OAuthError>[1]) =>
    new OAuthError({ error: 'x', status: 400 }, errorClass, undefined);
  const table: Array<[unknown, number]> = [
    [new TokenloopError('CONFIGURATION', 'c'), EXIT.usage],
    [new TokenloopError('INVALID_ARGUMENT', 'c'), EXIT.usage],
    [new TokenloopError('UNSAFE_FILE', 'c'), EXIT.usage],
    [new TokenloopError('NETWORK', 'c'), EXIT.temporary],
    [new TokenloopError('PROVIDER_UNAVAILABLE', 'c'), EXIT.temporary],
    [new TokenloopError('INTERACTION_REQUIRED', 'c'), EXIT.signInRequired],
    [new TokenloopError('ACCOUNT_NOT_FOUND', 'c'), EXIT.signInRequired],
    [new TokenloopError('CANCELLED', 'c'), EXIT.interrupted],
    [new TokenloopError('INVALID_RESPONSE', 'c'), EXIT.failure],
    [oauth('transient'), EXIT.temporary],
    [oauth('consent_required'), EXIT.signInRequired],
    [oauth('misconfiguration'), EXIT.usage],
    [oauth('user_blocked'), EXIT.signInRequired],
  ];
  for (const [err, exitCode] of table) {
    const d = describeError(err);
    assert.equal(d.exitCode, exitCode, (err as Error).message);
    assert.equal(d.unexpected, undefined);
  }
  const lookAlike = { name: 'TokenloopError', code: 'CONFIGURATION', message: 'looks like one' };
  assert.equal(describeError(lookAlike).unexpected, true);
});

it("S167 sweep: no CLI source tells the library's errors by their name", () => {
  const found: string[] = [];
  for (const file of readdirSync(SRC, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts')) continue;
    if (/['"](TokenloopError|OAuthError)['"]/.test(readFileSync(join(SRC, file), 'utf8'))) found.push(file);
  }
  assert.deepEqual(found, []);
});

it("the CLI's own errors are one family rooted in the library's TokenloopError: known by class, and the library's rules give each one's code its exit code", () => {
  const family: Array<[CliError, number]> = [
    [new CliError('c'), EXIT.failure],
    [new CliError('c', EXIT.usage), EXIT.usage],
    [new CliError('c', EXIT.temporary), EXIT.temporary],
    [new CliError('c', EXIT.signInRequired), EXIT.signInRequired],
    [new CliError('c', EXIT.interrupted), EXIT.interrupted],
    [new DecodeError('the header is not JSON'), EXIT.usage],
    [new PlainTransportRefused('mail.example:143'), EXIT.failure],
    [new UpstreamFailure('sign-in', 't'), EXIT.signInRequired],
    [new UpstreamFailure('temporary', 't'), EXIT.temporary],
    [new UpstreamFailure('refused', 't'), EXIT.failure],
    [new UpstreamFailure('failure', 't'), EXIT.failure],
  ];
  for (const [err, exitCode] of family) {
    const label = `${err.name} ${err.code}`;
    assert.ok(err instanceof TokenloopError, label);
    assert.equal(describeError(err).exitCode, exitCode, label);
    assert.equal(describeError(err).unexpected, undefined, label);
    assert.equal(exitCodeOf(err), exitCode, label);
  }
  const hinted = new CliError('c', EXIT.usage, 'do this');
  assert.equal(hinted.remediation, 'do this');
  assert.equal(describeError(hinted).hint, 'do this');
  const lookAlike = { name: 'CliError', exitCode: EXIT.usage, message: 'looks like one' };
  assert.equal(describeError(lookAlike).unexpected, true);
});

it('sweep: every error class of the CLI is of its family (none extends Error itself)', () => {
  const found: string[] = [];
  for (const file of readdirSync(SRC, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts')) continue;
    if (
      /\bclass\s+\w+\s+extends\s+(Error|TypeError|RangeError)\b/.test(readFileSync(join(SRC, file), 'utf8'))
    )
      found.push(file);
  }
  assert.deepEqual(found, []);
});

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

it("S186 the CLI exits 4 (sign-in required) for exactly the errors the library's needsSignIn names, for every error class", () => {
  const errors: unknown[] = [
    ...(Object.keys(EVERY_CLASS) as ErrorClass[]).map(
      (c) => new OAuthError({ error: 'x', status: 400 }, c, undefined),
    ),
    new TokenloopError('INTERACTION_REQUIRED', 'c'),
    new TokenloopError('ACCOUNT_NOT_FOUND', 'c'),
    new TokenloopError('NETWORK', 'c'),
  ];
  for (const err of errors) {
    const label = err instanceof OAuthError ? err.errorClass : (err as TokenloopError).code;
    assert.equal(describeError(err).exitCode === EXIT.signInRequired, needsSignIn(err), label);
  }
});

it('S186 sweep: no CLI source decides "needs sign-in" by itself (error codes or sign-in classes by name)', () => {
  const found: string[] = [];
  for (const file of readdirSync(SRC, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts')) continue;
    const text = readFileSync(join(SRC, file), 'utf8').replace(/\/\/.*|\/\*[\s\S]*?\*\//g, '');
    if (/[=!]==?\s*['"]INTERACTION_REQUIRED['"]/.test(text)) found.push(`${file}: a code`);
    if (/\b(interaction|consent|mfa)_required\s*:|\b(user_blocked|expired_grant)\b/.test(text))
      found.push(`${file}: a sign-in class`);
  }
  assert.deepEqual(found, []);
});

/**
 * Where a CLI source reads an error's wording instead of its structured details: a message (or an OAuth error's
 * description) tested with a regex or a string method or compared, or a raw AADSTS number looked for. The
 * library's wording may change; its `code`, `reason`, `origin`, `errorClass` and the error classes do not.
 */
function wordingMatches(source: string): string[] {
  const code = source.replace(/\/\/.*|\/\*[\s\S]*?\*\//g, '');
  const text = String.raw`\b(?:message|error_description)\b`;
  const rules: Array<[string, RegExp]> = [
    [
      'a string method on a message',
      new RegExp(
        String.raw`${text}\??\.(?:includes|startsWith|endsWith|match|matchAll|search|indexOf|lastIndexOf)\s*\(`,
      ),
    ],
    [
      'a message compared',
      new RegExp(String.raw`(?<!typeof\s+[\w?.]*)${text}\s*[!=]==?|[!=]==?\s*[\w?.]*${text}`),
    ],
    ['a regex run on a message', new RegExp(String.raw`\.(?:test|exec)\s*\([^()]*${text}`)],
    ['a raw AADSTS number', /\baadsts\b[^;\n]*\b\d{5,8}\b|AADSTS\d{4,8}/i],
  ];
  return rules.filter(([, re]) => re.test(code)).map(([what]) => what);
}

it("the sweep below finds every way of reading the library's wording: a regex, a string method, a comparison, a raw AADSTS number", () => {
  // The three fixes before they read `reason` and `origin` (issue: a change of wording broke their fix lines).
  assert.deepEqual(wordingMatches('const origin = MESSAGE.exec(e.message)?.[1];'), [
    'a regex run on a message',
  ]);
  assert.deepEqual(
    wordingMatches("if (typeof e.message !== 'string' || !/must use https/.test(e.message))"),
    ['a regex run on a message'],
  );
  assert.deepEqual(wordingMatches('err instanceof OAuthError && err.aadsts.includes(50020) &&'), [
    'a raw AADSTS number',
  ]);
  assert.deepEqual(wordingMatches("err.message.startsWith('cannot verify')"), [
    'a string method on a message',
  ]);
  assert.deepEqual(wordingMatches("if (err.message === 'x') return;"), ['a message compared']);
  // What the fixes do now, and comments that name the old ways, are not findings.
  assert.deepEqual(
    wordingMatches("if (err.reason !== 'tls-untrusted') return; // not /x/.test(e.message)"),
    [],
  );
});

it("sweep: no CLI source recognises a library error by its message's wording or a raw AADSTS number", () => {
  const found: string[] = [];
  for (const file of readdirSync(SRC, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts')) continue;
    for (const what of wordingMatches(readFileSync(join(SRC, file), 'utf8'))) found.push(`${file}: ${what}`);
  }
  assert.deepEqual(found, [], "match the library's code, reason, origin or errorClass instead");
});
