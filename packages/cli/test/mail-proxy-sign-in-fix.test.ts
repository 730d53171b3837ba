// The mail proxy's "sign-in required" message names a login that works when followed as written: the mail user is
// one shell word however it is spelled (the one output-quoting rule, commandArgument).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { it } from 'node:test';
import { TokenloopError } from 'tokenloop/errors';
import { UpstreamFailure, loginUpstream } from '../src/commands/mail/proxy/upstream.js';

it('a mail user with shell characters is one quoted word in the login the sign-in fix names', async () => {
  const user = "o'brien; touch pwned@example.test";
  const signInRequired = () => Promise.reject(new TokenloopError('INTERACTION_REQUIRED', 'sign in'));
  const failure = await loginUpstream(
    {} as never,
    { protocol: 'imap', host: '127.0.0.1', port: 1 } as never,
    user,
    signInRequired,
  ).then(
    () => assert.fail('no token, no login'),
    (err: unknown) => err,
  );
  assert.ok(failure instanceof UpstreamFailure);
  assert.equal(failure.kind, 'sign-in');
  const command = /`(tokenloop login --login-hint [^`]*)`/.exec(failure.text)?.[1];
  assert.ok(command, failure.text);
  // The shell reads the command back as exactly three words and the user, unchanged.
  const words = spawnSync('sh', ['-c', `set -- ${command.slice('tokenloop '.length)}; printf '%s\\n' "$@"`], {
    encoding: 'utf8',
  }).stdout;
  assert.deepEqual(words.split('\n').slice(0, -1), ['login', '--login-hint', user]);
});
