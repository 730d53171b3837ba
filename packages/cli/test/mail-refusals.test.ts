// Mail over OAuth 2.0 against real servers: Dovecot IMAP and POP3, Postfix submission with Dovecot SASL, and
// Dovecot's own submission service. Tokens are checked by the emulator's introspection endpoint (with the
// audience the mail server serves) and, separately, locally as JWTs. A fresh token logs in; an expired token,
// a token for another audience (Microsoft Graph), a revoked token and another user's token are refused —
// through `tokenloop mail test`, through a raw SASL client, imapflow (IMAP) and nodemailer (SMTP) with tokens
// from the library. Every emulator signs in bob (auto-login): "another user's token" is bob's token presented
// as alice, so the same token logging in as bob is the control. No token is printed, in passing or failing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, SAMPLE_SECRETS, startEmulator } from '@tokenloop/emulator';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { type TokenClient, createTokenClient } from 'tokenloop';
import { OUTLOOK_SCOPES, oauthBearer, xoauth2 } from 'tokenloop/mail';
import { baseEnv, freshHome, runCli } from './support/cli.js';
import { type RunningDovecot, type TokenCheck, startDovecot } from './support/dovecot.js';
import { type RunningPostfix, startPostfix } from './support/postfix.js';
import {
  type SaslAttempt,
  type SaslMechanism,
  type SaslProtocol,
  saslAttempt,
} from './support/sasl-client.js';

const BOB = 'bob@contoso.onmicrosoft.com';
const ALICE = 'alice@contoso.onmicrosoft.com';
const OUTLOOK = 'https://outlook.office.com';
const GRAPH_SCOPE = 'https://graph.microsoft.com/User.Read';
type Mode = 'introspection' | 'local';

/** Blank JWTs and long base64 runs (SASL strings) out of anything that goes into an assertion message. */
const redact = (s: string) =>
  s.replace(/eyJ[\w.-]+/g, '[token]').replace(/[A-Za-z0-9+/=]{120,}/g, '[base64]');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const expOf = (jwt: string) =>
  (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as { exp: number }).exp;

function tokenCheck(em: RunningEmulator, mode: Mode): TokenCheck {
  const tenant = `${em.url}/${SAMPLE_IDS.contoso}`;
  return mode === 'introspection'
    ? {
        mode,
        // Dovecot cannot check `aud` in introspection mode: the introspection server does, for this resource.
        url: `${tenant}/oauth2/v2.0/introspect?audience=${OUTLOOK}`,
        clientId: SAMPLE_IDS.apiApp,
        clientSecret: SAMPLE_SECRETS.apiApp,
      }
    : { mode, jwksUrl: `${tenant}/discovery/v2.0/keys`, issuer: `${tenant}/`, audience: OUTLOOK };
}

interface Target {
  name: string;
  protocol: SaslProtocol;
  port: () => number;
  /** `mail test` URL scheme (plain here: loopback, no TLS offered). */
  scheme: string;
  scope: string;
  /** The server's final reply to a successful / refused authentication. */
  success: RegExp;
  refusal: RegExp;
  /** What a command only an authenticated session may run answers (see SaslAttempt.proof). */
  proof: RegExp;
}

function targets(servers: () => { dovecot: RunningDovecot; postfix: RunningPostfix }): Target[] {
  const submission = { protocol: 'smtp' as const, scheme: 'submission', scope: OUTLOOK_SCOPES.smtp };
  return [
    {
      name: 'IMAP (Dovecot)',
      protocol: 'imap',
      port: () => servers().dovecot.imap,
      scheme: 'imap',
      scope: OUTLOOK_SCOPES.imap,
      success: /^a1 OK .*Logged in/,
      refusal: /^a1 NO \[AUTHENTICATIONFAILED\] Authentication failed\./,
      proof: /^a2 OK \[READ-WRITE\] Select completed/,
    },
    {
      name: 'POP3 (Dovecot)',
      protocol: 'pop3',
      port: () => servers().dovecot.pop3,
      scheme: 'pop3',
      scope: OUTLOOK_SCOPES.pop,
      success: /^\+OK Logged in\./,
      refusal: /^-ERR \[AUTH\] Authentication failed\./,
      proof: /^\+OK \d+ \d+$/,
    },
    {
      name: 'SMTP submission (Postfix, Dovecot SASL)',
      ...submission,
      port: () => servers().postfix.port,
      success: /^235 2\.7\.0 Authentication successful/,
      refusal: /^535 5\.7\.8 Error: authentication failed/,
      proof: /^250 2\.1\.5 Ok/, // relay permitted: permit_sasl_authenticated
    },
    {
      name: 'SMTP submission (Dovecot)',
      ...submission,
      port: () => servers().dovecot.submission,
      success: /^235 2\.7\.0 Logged in\./,
      refusal: /^535 5\.7\.8 Authentication failed\./,
      proof: /^250 2\.0\.0 2\.0\.0 ok/, // the relay's (the sink's) answer, passed through
    },
  ];
}

/**
 * The error challenge Dovecot sends before refusing a bearer token: RFC 7628's `status` for OAUTHBEARER, Google's
 * shape (an HTTP status, schemes and scope) for XOAUTH2.
 */
function assertChallenge(
  challenge: Record<string, unknown> | null | undefined,
  mechanism: SaslMechanism,
  where: string,
): void {
  assert.deepEqual(
    challenge,
    mechanism === 'XOAUTH2'
      ? { status: '401', schemes: 'bearer', scope: 'mail' }
      : { status: 'invalid_token' },
    `${where}: the server's error challenge, decoded`,
  );
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Why Dovecot refused, as its auth process logs it (one line per attempt, with the user; never the token). */
const REASONS = {
  /** The introspection endpoint answered `active: false`: expired, revoked, or not for this audience. */
  inactive: /^Introspection failed: Provided token is not valid$/,
  audience: /^Local validation failed: Token audience does not include 'https:\/\/outlook\.office\.com'$/,
  expired: /^Local validation failed: Token has expired$/,
  otherUser: (mode: Mode) =>
    new RegExp(
      `^${mode === 'introspection' ? 'Introspection' : 'Local validation'} failed: Username '${escape(ALICE)}' did not match '${escape(BOB)}'$`,
    ),
};

/** Every refusal Dovecot logged since `from` (a log length) has this reason, and there are at least `count`. */
function assertReasons(dovecot: RunningDovecot, from: number, reason: RegExp, count: number): void {
  const reasons = [
    ...dovecot
      .log()
      .slice(from)
      .matchAll(/: oauth2 failed: (.*)/g),
  ].map((m) => m[1]!);
  assert.ok(reasons.length >= count, `Dovecot logged ${reasons.length} refusals, expected ${count} or more`);
  for (const r of reasons) assert.match(r, reason, "Dovecot's reason for the refusal");
}

async function startServers(em: RunningEmulator, mode: Mode) {
  const dovecot = await startDovecot(tokenCheck(em, mode));
  try {
    const postfix = await startPostfix({ authSocket: dovecot.authSocket });
    return { dovecot, postfix };
  } catch (err) {
    await dovecot.stop();
    throw err;
  }
}

async function stopServers(s: { dovecot: RunningDovecot; postfix: RunningPostfix } | undefined) {
  await s?.postfix.stop(); // Postfix first: its smtpd holds Dovecot auth connections
  await s?.dovecot.stop();
}

/** Inside a suite, one test after the other: they share the servers, and the revocation comes last. */
const SEQUENTIAL = { concurrency: 1 };

// The four suites share nothing (each has its emulator, Dovecot, Postfix and ports): they run side by side.
describe('mail over OAuth 2.0 against Dovecot and Postfix', { concurrency: true }, () => {
  for (const mode of ['introspection', 'local'] as const) {
    describe(
      `tokenloop mail test: refusals (Dovecot ${mode} token check, Postfix submission)`,
      SEQUENTIAL,
      () => {
        let em: RunningEmulator;
        let servers: Awaited<ReturnType<typeof startServers>> | undefined;
        let env: NodeJS.ProcessEnv;
        const TARGETS = targets(() => servers!);

        before(async () => {
          em = await startEmulator({ autoLogin: 'bob', settings: { deviceCodeInterval: 1 } });
          servers = await startServers(em, mode);
          env = baseEnv(freshHome());
          const add = await runCli(
            [
              'profile',
              'add',
              'mail',
              '--emulator',
              em.url,
              ...['User.Read', OUTLOOK_SCOPES.imap, OUTLOOK_SCOPES.pop, OUTLOOK_SCOPES.smtp].flatMap((s) => [
                '--scope',
                s,
              ]),
              '--user',
              BOB,
            ],
            env,
          );
          assert.equal(add.code, 0, add.stderr);
          const login = await runCli(['login', '--device'], env);
          assert.equal(login.code, 0, login.stderr);
        });
        after(async () => {
          await stopServers(servers);
          await em?.close();
        });

        /** `mail test URL --json …` for every target at once: exit code, the JSON report, stderr. */
        const mailTestAll = (...extra: string[]) =>
          Promise.all(
            TARGETS.map(async (t) => {
              const r = await runCli(
                ['mail', 'test', `${t.scheme}://127.0.0.1:${t.port()}`, '--json', ...extra],
                env,
              );
              assert.doesNotMatch(
                r.stdout + r.stderr,
                /eyJ|dXNlcj1|bixh/,
                `${t.name}: no token or SASL string printed`,
              );
              let out: {
                ok: boolean;
                reply: string;
                challenge: Record<string, unknown> | null;
                cause: string | null;
              };
              try {
                out = JSON.parse(r.stdout) as typeof out;
              } catch {
                assert.fail(
                  `${t.name}: mail test printed no JSON report (exit ${r.code}): ${redact(r.stderr)}`,
                );
              }
              return { t, code: r.code, out, stderr: redact(r.stderr) };
            }),
          );

        it('a fresh token logs in: IMAP, POP3, Postfix and Dovecot submission', async () => {
          const dovecotLog = servers!.dovecot.log().length;
          for (const { t, code, out, stderr } of await mailTestAll()) {
            assert.equal(code, 0, `${t.name}: ${stderr}`);
            assert.equal(out.ok, true, t.name);
            assert.match(out.reply, t.success, t.name);
          }
          // The servers' own records: a login as bob on each Dovecot service, a successful AUTH at Postfix.
          const log = servers!.dovecot.log().slice(dovecotLog);
          for (const service of ['imap', 'pop3', 'submission'])
            assert.match(
              log,
              new RegExp(`${service}-login: Info: Login: user=<${BOB}>, method=XOAUTH2`),
              service,
            );
          assert.match(servers!.postfix.log(), /disconnect from localhost\[127\.0\.0\.1\] ehlo=1 auth=1 /);
        });

        it('a token for another audience (Microsoft Graph) is refused', async () => {
          const from = servers!.dovecot.log().length;
          for (const { t, code, out, stderr } of await mailTestAll('--scope', GRAPH_SCOPE)) {
            assert.equal(code, 1, `${t.name}: ${stderr}`);
            assert.equal(out.ok, false, t.name);
            assert.match(out.reply, t.refusal, t.name);
            assertChallenge(out.challenge, 'XOAUTH2', t.name);
            assert.equal(
              out.cause,
              'the token is for https://graph.microsoft.com, not for the mail server',
              t.name,
            );
          }
          const reason = mode === 'introspection' ? REASONS.inactive : REASONS.audience;
          assertReasons(servers!.dovecot, from, reason, TARGETS.length);
        });

        it("bob's token presented as alice is refused", async () => {
          const from = servers!.dovecot.log().length;
          for (const { t, code, out, stderr } of await mailTestAll('--user', ALICE)) {
            assert.equal(code, 1, `${t.name}: ${stderr}`);
            assert.equal(out.ok, false, t.name);
            assert.match(out.reply, t.refusal, t.name);
            assertChallenge(out.challenge, 'XOAUTH2', t.name);
            assert.equal(out.cause, `the token belongs to ${BOB}, not to ${ALICE}`, t.name);
          }
          assertReasons(servers!.dovecot, from, REASONS.otherUser(mode), TARGETS.length);
        });

        // An expired token never comes out of the cache (a token near its expiry is refused first): the expired
        // case runs with library tokens below, through raw clients, imapflow, nodemailer and `mail test --token-stdin`.

        if (mode === 'introspection') {
          it('a revoked token is refused: the cached, unexpired token is no longer active', async () => {
            assert.ok(em.revokeUserGrants('bob') > 0, 'the emulator revoked grants');
            const from = servers!.dovecot.log().length;
            for (const { t, code, out, stderr } of await mailTestAll()) {
              // 1, not 4: the token came from the cache (no refresh, which the revocation would have refused); the
              // server refused it.
              assert.equal(code, 1, `${t.name}: ${stderr}`);
              assert.equal(out.ok, false, t.name);
              assert.match(out.reply, t.refusal, t.name);
              assertChallenge(out.challenge, 'XOAUTH2', t.name);
              assert.equal(out.cause, 'the server refused a current token for this user', t.name);
            }
            assertReasons(servers!.dovecot, from, REASONS.inactive, TARGETS.length);
          });
        } else {
          // Local JWT validation cannot know of a revocation: an unexpired token keeps working until `exp`. That
          // is the trade-off of local validation (short token lifetimes bound it); introspection sees it at once.
          it('local JWT validation does not see a revocation: the unexpired token still logs in', async () => {
            assert.ok(em.revokeUserGrants('bob') > 0, 'the emulator revoked grants');
            for (const { t, code, out, stderr } of await mailTestAll()) {
              assert.equal(code, 0, `${t.name}: ${stderr}`);
              assert.equal(out.ok, true, t.name);
            }
          });
        }
      },
    );

    describe(
      `library tokens with a raw client, imapflow and nodemailer (Dovecot ${mode}, Postfix)`,
      SEQUENTIAL,
      () => {
        // Short-lived tokens, so that one can expire during the test. A silent acquisition refreshes a token in the
        // second half of its life, so every token handed out has at least LIFETIME / 2 seconds left.
        const LIFETIME = 6; // long enough for a login on a busy machine, short enough to wait out
        let em: RunningEmulator;
        let servers: Awaited<ReturnType<typeof startServers>> | undefined;
        let client: TokenClient;
        let stale: string;
        const TARGETS = targets(() => servers!);
        const token = async (scope: string, forceRefresh = false) =>
          (await client.acquireTokenSilent({ scopes: [scope], forceRefresh })).accessToken;

        before(async () => {
          em = await startEmulator({
            autoLogin: 'bob',
            settings: { deviceCodeInterval: 1, accessTokenLifetime: LIFETIME },
          });
          servers = await startServers(em, mode);
          client = createTokenClient({
            authority: `${em.url}/organizations`,
            clientId: SAMPLE_IDS.publicApp,
          });
          await client.loginWithDeviceCode({
            scopes: [OUTLOOK_SCOPES.imap],
            extraScopesToConsent: [OUTLOOK_SCOPES.pop, OUTLOOK_SCOPES.smtp, 'User.Read'],
            onPrompt: () => {},
          });
          // The token that will have expired by the time the expiry test runs; it logs in now (the control).
          stale = await token(OUTLOOK_SCOPES.imap, true);
          const now = await saslAttempt('imap', servers.dovecot.imap, 'XOAUTH2', xoauth2(BOB, stale), BOB);
          assert.ok(now.ok, `the token to expire later logs in while fresh: ${now.reply}`);
        });
        after(async () => {
          await stopServers(servers);
          await em?.close();
        });

        /** Every target with XOAUTH2 (and OAUTHBEARER) at once, the initial response built by tokenloop/mail. */
        const attemptAll = (
          accessToken: (t: Target) => Promise<string>,
          user: string,
          mechanisms: SaslMechanism[] = ['XOAUTH2'],
        ) =>
          Promise.all(
            TARGETS.flatMap((t) =>
              mechanisms.map(async (mechanism) => {
                const at = await accessToken(t);
                const ir =
                  mechanism === 'XOAUTH2'
                    ? xoauth2(user, at)
                    : oauthBearer(user, at, { host: '127.0.0.1', port: t.port() });
                const a: SaslAttempt = await saslAttempt(t.protocol, t.port(), mechanism, ir, user);
                return { t, where: `${t.name} ${mechanism}`, mechanism, a };
              }),
            ),
          );

        const assertRefused = (results: Awaited<ReturnType<typeof attemptAll>>) => {
          for (const { t, where, mechanism, a } of results) {
            assert.equal(a.ok, false, `${where}: refused (${a.reply})`);
            assert.match(a.reply, t.refusal, where);
            assertChallenge(a.challenge, mechanism, where);
          }
        };

        /** imapflow (it picks OAUTHBEARER when offered, as Dovecot does) with this token. */
        const imapflowLogin = async (user: string, accessToken: string) => {
          const imap = new ImapFlow({
            host: '127.0.0.1',
            port: servers!.dovecot.imap,
            secure: false,
            doSTARTTLS: false,
            auth: { user, accessToken },
            logger: false,
          });
          try {
            await imap.connect();
          } catch (err) {
            const e = err as {
              authenticationFailed?: boolean;
              serverResponseCode?: string;
              oauthError?: unknown;
            };
            return {
              ok: false as const,
              authenticationFailed: e.authenticationFailed,
              code: e.serverResponseCode,
              oauthError: e.oauthError as Record<string, unknown> | undefined,
            };
          }
          try {
            const box = await imap.mailboxOpen('INBOX');
            return { ok: true as const, path: box.path };
          } finally {
            await imap.logout();
          }
        };

        const assertImapflowRefused = (r: Awaited<ReturnType<typeof imapflowLogin>>) => {
          if (r.ok) assert.fail('imapflow logged in: a refusal was expected');
          assert.equal(r.authenticationFailed, true, 'imapflow: authenticationFailed');
          assert.equal(r.code, 'AUTHENTICATIONFAILED');
          assertChallenge(r.oauthError, 'OAUTHBEARER', 'imapflow');
        };

        /** nodemailer (XOAUTH2, the token inline in AUTH: Postfix's line_length_limit allows it) with this token. */
        const nodemailerSend = async (user: string, accessToken: string, subject: string) => {
          const transport = nodemailer.createTransport({
            host: '127.0.0.1',
            port: servers!.postfix.port,
            secure: false,
            ignoreTLS: true,
            auth: { type: 'OAuth2', user, accessToken },
          });
          try {
            const info = await transport.sendMail({
              from: user,
              to: 'carol@example.net',
              subject,
              text: 'Sent with a token from tokenloop.',
            });
            return { ok: true as const, accepted: info.accepted.map(String), response: info.response };
          } catch (err) {
            const e = err as { code?: string; responseCode?: number; response?: string };
            return { ok: false as const, code: e.code, responseCode: e.responseCode, response: e.response };
          } finally {
            transport.close();
          }
        };

        const assertNodemailerRefused = (r: Awaited<ReturnType<typeof nodemailerSend>>) => {
          if (r.ok) assert.fail(`nodemailer logged in and sent (${r.response}): a refusal was expected`);
          assert.equal(r.code, 'EAUTH');
          assert.equal(r.responseCode, 535);
          assert.match(r.response ?? '', /^535 5\.7\.8 Error: authentication failed/);
        };

        it('a fresh token logs in (XOAUTH2 and OAUTHBEARER) and the session works', async () => {
          for (const { t, where, a } of await attemptAll((t) => token(t.scope), BOB, [
            'XOAUTH2',
            'OAUTHBEARER',
          ])) {
            assert.equal(a.ok, true, `${where}: ${a.reply}`);
            assert.match(a.reply, t.success, where);
            assert.match(a.proof ?? '', t.proof, `${where}: an authenticated-only command succeeds`);
          }
          const log = servers!.dovecot.log();
          for (const service of ['imap', 'pop3', 'submission'])
            for (const method of ['XOAUTH2', 'OAUTHBEARER'])
              assert.match(log, new RegExp(`${service}-login: Info: Login: user=<${BOB}>, method=${method}`));
        });

        it('imapflow logs in with a library token and opens INBOX', async () => {
          const r = await imapflowLogin(BOB, await token(OUTLOOK_SCOPES.imap));
          assert.deepEqual(r, { ok: true, path: 'INBOX' });
          assert.match(
            servers!.dovecot.log(),
            new RegExp(`imap-login: Info: Login: user=<${BOB}>, method=OAUTHBEARER`),
          );
        });

        it('nodemailer sends through Postfix with a library token; the message is relayed', async () => {
          const subject = `tokenloop nodemailer ${mode} ${Date.now()}`;
          const r = await nodemailerSend(BOB, await token(OUTLOOK_SCOPES.smtp), subject);
          assert.equal(r.ok, true, `nodemailer: ${r.ok ? '' : `${r.code} ${r.response}`}`);
          if (!r.ok) return;
          assert.deepEqual(r.accepted, ['carol@example.net']);
          assert.match(r.response, /^250 2\.0\.0 Ok: queued as /);
          const message = await servers!.postfix.sink.waitFor(new RegExp(`Subject: ${subject}`));
          assert.match(message, /with ESMTPA id/, 'Postfix received it from an authenticated client');
          assert.match(servers!.postfix.log(), new RegExp(`sasl_method=XOAUTH2, sasl_username=${BOB}`));
        });

        /** Raw attempts with both mechanisms on every target, imapflow, nodemailer. */
        const ATTEMPTS = TARGETS.length * 2 + 2;

        it('a token for another audience (Microsoft Graph) is refused', async () => {
          const from = servers!.dovecot.log().length;
          const graph = () => token('User.Read');
          const [raw, flow, mailer] = await Promise.all([
            attemptAll(graph, BOB, ['XOAUTH2', 'OAUTHBEARER']),
            graph().then((t) => imapflowLogin(BOB, t)),
            graph().then((t) => nodemailerSend(BOB, t, 'graph token')),
          ]);
          assertRefused(raw);
          assertImapflowRefused(flow);
          assertNodemailerRefused(mailer);
          const reason = mode === 'introspection' ? REASONS.inactive : REASONS.audience;
          assertReasons(servers!.dovecot, from, reason, ATTEMPTS);
        });

        it("bob's token presented as alice is refused", async () => {
          const from = servers!.dovecot.log().length;
          const [raw, flow, mailer] = await Promise.all([
            attemptAll((t) => token(t.scope), ALICE, ['XOAUTH2', 'OAUTHBEARER']),
            token(OUTLOOK_SCOPES.imap).then((t) => imapflowLogin(ALICE, t)),
            token(OUTLOOK_SCOPES.smtp).then((t) => nodemailerSend(ALICE, t, 'as alice')),
          ]);
          assertRefused(raw);
          assertImapflowRefused(flow);
          assertNodemailerRefused(mailer);
          assertReasons(servers!.dovecot, from, REASONS.otherUser(mode), ATTEMPTS);
        });

        it('an expired token is refused (the same token logged in while fresh)', async () => {
          const wait = (expOf(stale) + 1) * 1000 - Date.now();
          if (wait > 0) await sleep(wait);
          assert.ok(Date.now() / 1000 > expOf(stale), 'the token has expired');
          const from = servers!.dovecot.log().length;
          const [raw, flow, mailer] = await Promise.all([
            attemptAll(async () => stale, BOB, ['XOAUTH2', 'OAUTHBEARER']),
            imapflowLogin(BOB, stale),
            nodemailerSend(BOB, stale, 'expired token'),
          ]);
          assertRefused(raw);
          assertImapflowRefused(flow);
          assertNodemailerRefused(mailer);
          const reason = mode === 'introspection' ? REASONS.inactive : REASONS.expired;
          assertReasons(servers!.dovecot, from, reason, ATTEMPTS);
        });

        it('an expired token given to `mail test --token-stdin` is refused, and the report says it expired', async () => {
          assert.ok(Date.now() / 1000 > expOf(stale), 'the token has expired');
          const env = baseEnv(freshHome()); // no profile, no sign-in: the token comes from standard input only
          for (const t of TARGETS) {
            const r = await runCli(
              [
                'mail',
                'test',
                `${t.scheme}://127.0.0.1:${t.port()}`,
                '--user',
                BOB,
                '--token-stdin',
                '--json',
              ],
              env,
              `${stale}\n`,
            );
            assert.doesNotMatch(r.stdout + r.stderr, /eyJ/, `${t.name}: no token printed`);
            assert.equal(r.code, 1, `${t.name}: ${redact(r.stderr)}`);
            const out = JSON.parse(r.stdout) as { ok: boolean; reply: string; cause: string };
            assert.equal(out.ok, false, t.name);
            assert.match(out.reply, t.refusal, t.name);
            assert.equal(out.cause, 'the token has expired', t.name);
          }
          const bad = await runCli(
            ['mail', 'test', 'imap://127.0.0.1:1', '--user', BOB, '--token-stdin'],
            env,
            'not a token\n',
          );
          assert.equal(bad.code, 2);
          assert.match(bad.stderr, /standard input does not hold one access token/);
        });

        if (mode === 'introspection') {
          it('a revoked token is refused (it logged in just before; it is still unexpired)', async () => {
            const fresh = await token(OUTLOOK_SCOPES.imap, true);
            const control = await saslAttempt(
              'imap',
              servers!.dovecot.imap,
              'XOAUTH2',
              xoauth2(BOB, fresh),
              BOB,
            );
            assert.ok(control.ok, `the token logs in before the revocation: ${control.reply}`);
            assert.ok(em.revokeUserGrants('bob') > 0, 'the emulator revoked grants');
            const from = servers!.dovecot.log().length;
            const [raw, flow, mailer] = await Promise.all([
              attemptAll(async () => fresh, BOB, ['XOAUTH2', 'OAUTHBEARER']),
              imapflowLogin(BOB, fresh),
              nodemailerSend(BOB, fresh, 'revoked token'),
            ]);
            assert.ok(Date.now() / 1000 < expOf(fresh), 'the refusals came before the token expired');
            assertRefused(raw);
            assertImapflowRefused(flow);
            assertNodemailerRefused(mailer);
            assertReasons(servers!.dovecot, from, REASONS.inactive, ATTEMPTS);
          });
        }
      },
    );
  }
});
