// `tokenloop mail test` against a real Dovecot (IMAP, POP3, submission) started here, tokens checked by the
// emulator's introspection endpoint and, separately, locally as JWTs with the emulator's signing key.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, SAMPLE_SECRETS, startEmulator } from '@tokenloop/emulator';
import { baseEnv, freshHome, runCli } from './support/cli.js';
import { type RunningDovecot, startDovecot } from './support/dovecot.js';

const IMAP = 'https://outlook.office.com/IMAP.AccessAsUser.All';
const POP = 'https://outlook.office.com/POP.AccessAsUser.All';
const SMTP = 'https://outlook.office.com/SMTP.Send';

for (const mode of ['introspection', 'local'] as const) {
  describe(`mail test against Dovecot (${mode} token check)`, () => {
    let em: RunningEmulator;
    let dovecot: RunningDovecot;
    let home: string;
    before(async () => {
      em = await startEmulator({ autoLogin: 'alice', settings: { deviceCodeInterval: 1 } });
      const tenant = `${em.url}/${SAMPLE_IDS.contoso}`;
      dovecot = await startDovecot(
        mode === 'introspection'
          ? {
              mode,
              url: `${tenant}/oauth2/v2.0/introspect`,
              clientId: SAMPLE_IDS.apiApp,
              clientSecret: SAMPLE_SECRETS.apiApp,
            }
          : {
              mode,
              jwksUrl: `${tenant}/discovery/v2.0/keys`,
              issuer: `${tenant}/`,
              audience: 'https://outlook.office.com',
            },
      );
      home = freshHome();
      await runCli(
        [
          'profile',
          'add',
          'mail',
          '--emulator',
          em.url,
          '--scope',
          'User.Read',
          '--scope',
          IMAP,
          '--scope',
          POP,
          '--scope',
          SMTP,
          '--user',
          'alice@contoso.onmicrosoft.com',
        ],
        baseEnv(home),
      );
      const login = await runCli(['login', '--device'], baseEnv(home));
      assert.equal(login.code, 0, login.stderr);
    });
    after(async () => {
      await dovecot?.stop();
      await em?.close();
    });

    for (const [scheme, port] of [
      ['imap', () => dovecot.imap],
      ['pop3', () => dovecot.pop3],
      ['submission', () => dovecot.submission],
    ] as const) {
      for (const mechanism of ['xoauth2', 'oauthbearer']) {
        it(`${scheme} with ${mechanism}: a fresh token logs in`, async () => {
          const r = await runCli(
            ['mail', 'test', `${scheme}://127.0.0.1:${port()}`, '--mechanism', mechanism],
            baseEnv(home),
          );
          assert.equal(r.code, 0, `${r.stderr}\n${dovecot.log().slice(-2000)}`);
          assert.match(
            r.stderr,
            new RegExp(`${mechanism.toUpperCase()} login as alice@contoso\\.onmicrosoft\\.com succeeded`),
          );
          assert.match(r.stderr, /mechanisms: .*XOAUTH2/);
          assert.doesNotMatch(r.stderr + r.stdout, /eyJ|dXNlcj1/, 'no token or SASL string on the terminal');
        });
      }
    }

    it("another user's token is refused, with the decoded challenge and the likely cause", async () => {
      const r = await runCli(
        [
          'mail',
          'test',
          `imap://127.0.0.1:${dovecot.imap}`,
          '--user',
          'bob@contoso.onmicrosoft.com',
          '--json',
        ],
        baseEnv(home),
      );
      assert.equal(r.code, 1, r.stderr);
      const out = JSON.parse(r.stdout) as { ok: boolean; cause: string; challenge: unknown; reply: string };
      assert.equal(out.ok, false);
      assert.match(out.reply, /NO/);
      assert.match(out.cause, /belongs to alice@contoso\.onmicrosoft\.com, not to bob/);
    });

    if (mode === 'local')
      it('without --user (none in the profile either), the mailbox user is the account, as token --format xoauth2 has it', async () => {
        const env = baseEnv(home);
        const add = await runCli(
          ['profile', 'add', 'short', '--emulator', em.url, '--scope', 'User.Read', '--scope', IMAP],
          env,
        );
        assert.equal(add.code, 0, add.stderr);
        const r = await runCli(
          ['mail', 'test', `imap://127.0.0.1:${dovecot.imap}`, '--profile', 'short'],
          env,
        );
        assert.equal(r.code, 0, `${r.stderr}\n${dovecot.log().slice(-2000)}`);
        assert.match(r.stderr, /XOAUTH2 login as alice@contoso\.onmicrosoft\.com succeeded/);
        const stdin = await runCli(
          ['mail', 'test', `imap://127.0.0.1:${dovecot.imap}`, '--profile', 'short', '--token-stdin'],
          env,
          'abc',
        );
        assert.equal(stdin.code, 2, 'a token from standard input names no account');
        assert.match(stdin.stderr, /fix: pass --user/);
      });

    // Dovecot's introspection mode has no audience check (and its `scope` setting demands every listed scope):
    // the audience is enforced by local JWT validation.
    if (mode === 'local')
      it('a token for another audience (Graph) is refused', async () => {
        const r = await runCli(
          [
            'mail',
            'test',
            `imap://127.0.0.1:${dovecot.imap}`,
            '--scope',
            'https://graph.microsoft.com/User.Read',
          ],
          baseEnv(home),
        );
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /likely cause: the token is for https:\/\/graph\.microsoft\.com/);
      });

    if (mode === 'introspection') {
      it('a revoked grant: the still-cached token is refused by the server (introspection knows)', async () => {
        em.revokeUserGrants('alice');
        const r = await runCli(['mail', 'test', `imap://127.0.0.1:${dovecot.imap}`, '--json'], baseEnv(home));
        assert.equal(r.code, 1, r.stderr);
        assert.equal((JSON.parse(r.stdout) as { ok: boolean }).ok, false);
      });
    }
  });
}
