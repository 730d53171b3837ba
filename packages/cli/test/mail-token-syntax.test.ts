// Issue 16: `mail test --token-stdin` takes the token by the library's one RFC 6750 rule (isBearerTokenSyntax),
// the rule and bound every other place that reads or writes a token uses. A token the rule refuses is a usage
// error before any connection, and is never repeated.
import assert from 'node:assert/strict';
import { type Server, type Socket, createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { MAX_TOKEN_LENGTH } from 'tokenloop';
import { baseEnv, freshHome, runCli } from './support/cli.js';

describe('S211: mail test --token-stdin reads the token by the one bearer-token rule', () => {
  let server: Server;
  let port = 0;
  let connections = 0;
  const sockets = new Set<Socket>();

  before(async () => {
    // An IMAP server that never answers: a run that connects fails, so a connection shows in the count.
    server = createServer((s) => {
      connections++;
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const CASES: Array<[string, string]> = [
    ['two tokens', 'abc def'],
    ['a comma', 'abc,def'],
    ['padding inside', 'ab=cd'],
    ['one character longer than the library ever accepts', 'a'.repeat(MAX_TOKEN_LENGTH + 1)],
  ];
  for (const [label, token] of CASES) {
    it(`S211 ${label}: a usage error before any connection, the token never repeated`, async () => {
      connections = 0;
      const run = await runCli(
        ['mail', 'test', `imap://127.0.0.1:${port}`, '--user', 'alice@example.test', '--token-stdin'],
        baseEnv(freshHome()),
        `${token}\n`,
      );
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /standard input does not hold one access token/);
      assert.equal(connections, 0);
      assert.ok(!run.stderr.includes(token.slice(0, 40)), 'the token is not repeated');
    });
  }
});
