// The emulator's errors are one family (issue 16): every error it throws on purpose descends from EmulatorError,
// exported from the package, so that a caller (the tokenloop emulator command) tells them from a bug with
// instanceof. Each class keeps its own name, fields and message; a sweep finds a new root written beside it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { EmulatorError, EmulatorOptionsError, LinesError } from '../src/index.ts';
import { EntraError, UntrustedRedirectError } from '../src/errors/entra-error.ts';
import { DirectoryConfigError } from '../src/errors/directory-config-error.ts';
import { DirectoryFullError } from '../src/errors/directory-full-error.ts';
import { BodyTooLargeError } from '../src/errors/body-too-large-error.ts';
import { IssuerFetchError } from '../src/errors/issuer-fetch-error.ts';
import { TS_NAME, sourceFiles } from '../../tokenloop/test/support/package-sources.ts';

test('every error class of the emulator is an EmulatorError, and keeps its name and message', () => {
  const errors: [Error, string, string][] = [
    [
      new EntraError(50126),
      'EntraError',
      'Error validating credentials due to invalid username or password.',
    ],
    [new UntrustedRedirectError(900971), 'UntrustedRedirectError', 'No reply address provided.'],
    [new LinesError(['what is wrong', 'a problem']), 'Error', 'what is wrong\n  a problem'],
    [new EmulatorOptionsError('port must be free'), 'EmulatorOptionsError', 'port must be free'],
    [new DirectoryConfigError('bad config'), 'DirectoryConfigError', 'bad config'],
    [new DirectoryFullError('too many apps'), 'DirectoryFullError', 'too many apps'],
    [new BodyTooLargeError('request body too large'), 'BodyTooLargeError', 'request body too large'],
    [new IssuerFetchError('not loopback'), 'IssuerFetchError', 'not loopback'],
  ];
  for (const [err, name, message] of errors) {
    assert.ok(err instanceof EmulatorError, `${name} is an EmulatorError`);
    assert.ok(err instanceof Error, `${name} is an Error`);
    assert.equal(err.name, name);
    assert.equal(err.message, message);
  }
  assert.ok(new EmulatorOptionsError('x') instanceof LinesError, 'EmulatorOptionsError is a LinesError');
  assert.deepEqual(new EmulatorOptionsError(['a', 'b']).lines, ['a', 'b']);
});

test('sweep: EmulatorError is the one class of the emulator sources that extends Error itself', () => {
  const root = join(import.meta.dirname, '..', 'src');
  const found: string[] = [];
  for (const path of sourceFiles(root, { names: TS_NAME })) {
    const text = readFileSync(path, 'utf8');
    if (/\bextends\s+(?:Error|TypeError|RangeError)\b/.test(text))
      found.push(relative(root, path).split('\\').join('/'));
  }
  assert.deepEqual(found, ['errors/emulator-error.ts']);
});

test('sweep: every error class of the emulator sources is declared in errors/', () => {
  const root = join(import.meta.dirname, '..', 'src');
  const outside: string[] = [];
  for (const path of sourceFiles(root, { names: TS_NAME })) {
    const file = relative(root, path).split('\\').join('/');
    const text = readFileSync(path, 'utf8');
    if (!file.startsWith('errors/') && /\bclass\s+\w*Error\b/.test(text)) outside.push(file);
  }
  assert.deepEqual(outside, []);
});
