// The mail recipes of docs/mail.md, run with the real programs from Debian against a real Dovecot (IMAP over TLS,
// tokens checked by the emulator's introspection) and a real Postfix submission (Dovecot SASL, which takes the
// long inline `AUTH XOAUTH2 <token>` lines Dovecot's own submission refuses): neomutt (IMAP in tmux, SMTP in batch
// mode), msmtp, isync / mbsync (with Debian's Cyrus SASL XOAUTH2 plugin), Python's imaplib and smtplib, Node's
// imapflow and nodemailer. Each runs `tokenloop token …` itself, as configured in the docs; only the server lines
// differ (127.0.0.1 and its ports, the test certificate; this Postfix has no TLS). Each also meets a `tokenloop`
// that says "sign-in required" (exit 4) and must fail at once and clearly, not hang.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, startEmulator } from '@tokenloop/emulator';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { BIN, baseEnv, freshHome, runCli } from './support/cli.js';
import {
  type DovecotTls,
  type RunningDovecot,
  startDovecot,
  emulatorIntrospection,
} from './support/dovecot.js';
import { type RunningPostfix, startPostfix } from './support/postfix.js';

const USER = 'alice@contoso.onmicrosoft.com';
const IMAP_SCOPE = 'https://outlook.office.com/IMAP.AccessAsUser.All';
const POP_SCOPE = 'https://outlook.office.com/POP.AccessAsUser.All';
const SMTP_SCOPE = 'https://outlook.office.com/SMTP.Send';
const IMAP_CMD = `tokenloop token --profile mail --scope ${IMAP_SCOPE}`;
const SMTP_CMD = `tokenloop token --profile mail --scope ${SMTP_SCOPE}`;
const SUBJECT = 'Quarterly numbers for the recipe test';
const BODY = 'Hello from the mail recipes test.';

/** Tokens and SASL strings never reach the test output: JWTs and long base64 runs are blanked. */
const redact = (s: string) =>
  s.replace(/eyJ[\w.-]+/g, '[token]').replace(/[A-Za-z0-9+/=]{200,}/g, '[base64]');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a program with a hard time limit (SIGKILL), so that a program waiting forever fails the test quickly. */
function run(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: { input?: string; cwd?: string; timeoutMs?: number } = {},
): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(file, args, { env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.stdin.end(opts.input ?? '');
    // 'close', not 'exit': the output may still be arriving when the process has exited.
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

const TMUX_SOCKET = join(tmpdir(), `tokenloop-mail-recipes-${process.pid}.tmux`);
const tmux = (...args: string[]) => execFileSync('tmux', ['-S', TMUX_SOCKET, ...args], { encoding: 'utf8' });

async function waitForScreen(
  session: string,
  pattern: RegExp,
  timeoutMs = 20_000,
  context: () => string = () => '',
): Promise<string> {
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    last = tmux('capture-pane', '-p', '-t', session);
    if (pattern.test(last)) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  assert.fail(`the screen never showed ${pattern}:\n${redact(last)}\n${redact(context())}`);
}

describe(
  'mail recipes with real programs (neomutt, msmtp, mbsync, Python, Node)',
  { timeout: 240_000 },
  () => {
    let em: RunningEmulator;
    let dovecot: RunningDovecot & DovecotTls;
    let postfix: RunningPostfix;
    let home: string;
    /** A home with the same profile but nobody signed in: `tokenloop token` exits 4 (sign-in required). */
    let signedOut: string;
    const dirs: string[] = [];
    const tempDir = () => {
      const dir = freshHome();
      dirs.push(dir);
      return dir;
    };
    /** PATH with a `tokenloop` command first, as an installed CLI would be. */
    let path: string;
    const envFor = (h: string) => baseEnv(h, { PATH: path, HOME: h });
    /** Dovecot's logins as alice with METHOD since log offset FROM; waits a moment for its log to catch up. */
    const dovecotLogins = async (from: number, method: string, expected: number) => {
      const count = () =>
        dovecot
          .log()
          .slice(from)
          .split('\n')
          .filter((l) => l.includes(`Login: user=<${USER}>, method=${method}`)).length;
      for (let i = 0; i < 20 && count() < expected; i++) await new Promise((r) => setTimeout(r, 100));
      return count();
    };

    before(async () => {
      em = await startEmulator({ autoLogin: 'alice', settings: { deviceCodeInterval: 1 } });
      // The token must carry the protocol's scope, as Exchange Online requires.
      dovecot = await startDovecot(
        emulatorIntrospection(em.url, { imap: 'IMAP.AccessAsUser.All', smtp: 'SMTP.Send' }),
        { tls: true },
      );
      postfix = await startPostfix({ authSocket: dovecot.authSocket });

      const bin = join(tempDir(), 'bin');
      mkdirSync(bin);
      writeFileSync(join(bin, 'tokenloop'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`, {
        mode: 0o755,
      });
      path = `${bin}:${process.env.PATH}`;
      const profile = ['profile', 'add', 'mail', '--emulator', em.url, '--user', USER];
      for (const s of ['User.Read', IMAP_SCOPE, POP_SCOPE, SMTP_SCOPE]) profile.push('--scope', s);
      home = tempDir();
      assert.equal((await runCli(profile, envFor(home))).code, 0);
      const login = await runCli(['login', '--device'], envFor(home));
      assert.equal(login.code, 0, login.stderr);
      signedOut = tempDir();
      assert.equal((await runCli(profile, envFor(signedOut))).code, 0);
      const out = await runCli(['token', '--profile', 'mail', '--scope', IMAP_SCOPE], envFor(signedOut));
      assert.equal(out.code, 4, 'the signed-out home really says "sign-in required"');

      // One message in the INBOX, appended by another client (imapflow) with a token of its own.
      const token = await runCli(['token', '--profile', 'mail', '--scope', IMAP_SCOPE], envFor(home));
      assert.equal(token.code, 0, token.stderr);
      const imap = new ImapFlow({
        host: '127.0.0.1',
        port: dovecot.imaps,
        secure: true,
        tls: { ca: dovecot.caPem },
        auth: { user: USER, accessToken: token.stdout.trim() },
        logger: false,
      });
      await imap.connect();
      await imap.append(
        'INBOX',
        `From: Bob <bob@contoso.onmicrosoft.com>\r\nTo: ${USER}\r\nSubject: ${SUBJECT}\r\n\r\n${BODY}\r\n`,
      );
      await imap.logout();

      tmux('new-session', '-d', '-s', 'keeper', 'sleep 600');
    });

    after(async () => {
      try {
        tmux('kill-server');
      } catch {
        // no tmux server
      }
      rmSync(TMUX_SOCKET, { force: true });
      await postfix?.stop(); // before Dovecot: its smtpd holds Dovecot's auth socket
      await dovecot?.stop();
      await em?.close();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });

    describe('neomutt', () => {
      const imapRc = (mechanism: string) => `set imap_user = "${USER}"
set imap_authenticators = "${mechanism}"
set imap_oauth_refresh_command = "${IMAP_CMD}"
set folder = "imaps://127.0.0.1:${dovecot.imaps}/"
set spoolfile = "+INBOX"
set ssl_ca_certificates_file = "${dovecot.caFile}"
set header_cache = ""
set message_cachedir = ""
set tmpdir = "${home}"
`;
      /** neomutt in a tmux session; its stderr (where `tokenloop` speaks) goes to a file; the exit code is shown. */
      const startNeomutt = (session: string, h: string, rc: string) => {
        writeFileSync(join(h, `${session}.muttrc`), rc);
        writeFileSync(
          join(h, `${session}.sh`),
          `export HOME='${h}' TOKENLOOP_HOME='${h}' PATH='${path}'\n` +
            `neomutt -n -F '${join(h, `${session}.muttrc`)}' 2>'${join(h, `${session}.err`)}'\necho "EXIT=$?"\nsleep 60\n`,
        );
        tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '24', `sh ${join(h, `${session}.sh`)}`);
      };

      it('IMAP with XOAUTH2: logs in, lists the INBOX and reads the message', async () => {
        const mark = dovecot.log().length;
        startNeomutt('neomutt-xoauth2', home, imapRc('xoauth2'));
        const index = await waitForScreen('neomutt-xoauth2', new RegExp(SUBJECT), 20_000, () =>
          dovecot.log().slice(mark),
        );
        assert.match(index, /NeoMutt: \+INBOX \[Msgs:1/);
        tmux('send-keys', '-t', 'neomutt-xoauth2', 'Enter');
        await waitForScreen('neomutt-xoauth2', new RegExp(BODY.replace(/\./g, '\\.')));
        tmux('send-keys', '-t', 'neomutt-xoauth2', 'q');
        await waitForScreen('neomutt-xoauth2', /NeoMutt: \+INBOX/);
        tmux('send-keys', '-t', 'neomutt-xoauth2', 'q');
        await waitForScreen('neomutt-xoauth2', /EXIT=0/);
        assert.equal(await dovecotLogins(mark, 'XOAUTH2', 1), 1, redact(dovecot.log().slice(mark)));
      });

      it('IMAP, signed out: "Unable to open mailbox" at once, tokenloop says why; no login', async () => {
        const mark = dovecot.log().length;
        startNeomutt('neomutt-signed-out', signedOut, imapRc('xoauth2'));
        await waitForScreen('neomutt-signed-out', /Unable to open mailbox imaps:/, 10_000);
        tmux('send-keys', '-t', 'neomutt-signed-out', 'q');
        await waitForScreen('neomutt-signed-out', /EXIT=\d+/);
        const err = readFileSync(join(signedOut, 'neomutt-signed-out.err'), 'utf8');
        assert.match(err, /sign-in required/);
        assert.match(err, /tokenloop login --profile mail/);
        assert.equal(await dovecotLogins(mark, 'XOAUTH2', 0), 0);
      });

      const smtpRc = () => `set from = "${USER}"
set smtp_url = "smtp://127.0.0.1:${postfix.port}/"
set smtp_user = "${USER}"
set smtp_authenticators = "xoauth2"
set smtp_oauth_refresh_command = "${SMTP_CMD}"
set ssl_starttls = no
set ssl_force_tls = no
set record = ""
set tmpdir = "${home}"
`;

      it('SMTP with XOAUTH2 (batch mode): the message reaches the server', async () => {
        writeFileSync(join(home, 'smtp.muttrc'), smtpRc());
        const r = await run(
          'neomutt',
          ['-n', '-F', join(home, 'smtp.muttrc'), '-s', 'neomutt recipe', 'bob@example.test'],
          envFor(home),
          { input: `${BODY}\n` },
        );
        assert.equal(r.code, 0, redact(r.stderr + postfix.log()));
        const message = await postfix.sink.waitFor(/Subject: neomutt recipe/, 10_000);
        assert.match(message, new RegExp(BODY.replace(/\./g, '\\.')));
        assert.match(postfix.log(), new RegExp(`sasl_method=XOAUTH2, sasl_username=${USER}`));
      });

      it("SMTP, signed out: fails at once with tokenloop's reason, nothing sent", async () => {
        writeFileSync(join(signedOut, 'smtp.muttrc'), smtpRc());
        const before = postfix.sink.delivered.length;
        const r = await run(
          'neomutt',
          ['-n', '-F', join(signedOut, 'smtp.muttrc'), '-s', 'never sent', 'bob@example.test'],
          envFor(signedOut),
          { input: `${BODY}\n`, timeoutMs: 15_000 },
        );
        assert.equal(r.code, 1, redact(r.stderr));
        assert.match(r.stderr, /sign-in required/);
        assert.match(r.stderr, /Command returned empty string\nNo authenticators available/);
        assert.equal(postfix.sink.delivered.length, before);
      });
    });

    describe('msmtp', () => {
      const msmtprc = (h: string, auth: string) => {
        const file = join(h, `msmtprc-${auth}`);
        writeFileSync(
          file,
          `account work
host 127.0.0.1
port ${postfix.port}
tls off
auth ${auth}
user ${USER}
from ${USER}
passwordeval ${SMTP_CMD}

account default : work
`,
          { mode: 0o600 },
        );
        return file;
      };
      for (const auth of ['xoauth2', 'oauthbearer']) {
        it(`auth ${auth} with passwordeval: the message reaches the server`, async () => {
          const subject = `msmtp recipe ${auth}`;
          const r = await run('msmtp', ['-C', msmtprc(home, auth), 'bob@example.test'], envFor(home), {
            input: `From: ${USER}\nTo: bob@example.test\nSubject: ${subject}\n\n${BODY}\n`,
          });
          assert.equal(r.code, 0, redact(r.stderr + postfix.log()));
          await postfix.sink.waitFor(new RegExp(`Subject: ${subject}`), 10_000);
          assert.match(postfix.log(), new RegExp(`sasl_method=${auth.toUpperCase()}, sasl_username=${USER}`));
        });
      }

      it("signed out: exits at once (78) naming the command, with tokenloop's reason", async () => {
        const r = await run(
          'msmtp',
          ['-C', msmtprc(signedOut, 'xoauth2'), 'bob@example.test'],
          envFor(signedOut),
          {
            input: 'Subject: never sent\n\nx\n',
            timeoutMs: 15_000,
          },
        );
        assert.equal(r.code, 78, redact(r.stderr));
        assert.match(r.stderr, /sign-in required/);
        assert.match(r.stderr, /msmtp: cannot read output of 'tokenloop token/);
        assert.ok(r.ms < 10_000);
      });
    });

    describe('isync / mbsync', () => {
      const mbsyncrc = (h: string) => {
        const maildir = join(h, 'Mail');
        mkdirSync(maildir, { recursive: true });
        const file = join(h, 'mbsyncrc');
        writeFileSync(
          file,
          `IMAPAccount work
Host 127.0.0.1
Port ${dovecot.imaps}
SSLType IMAPS
CertificateFile ${dovecot.caFile}
User ${USER}
AuthMechs XOAUTH2
PassCmd "${IMAP_CMD}"

IMAPStore work-remote
Account work

MaildirStore work-local
Path ${maildir}/
Inbox ${maildir}/INBOX
SubFolders Verbatim

Channel work
Far :work-remote:
Near :work-local:
Patterns *
Create Near
SyncState *
`,
        );
        return { file, maildir };
      };

      it('AuthMechs XOAUTH2 with PassCmd: the INBOX syncs to a local Maildir', async () => {
        const mark = dovecot.log().length;
        const { file, maildir } = mbsyncrc(home);
        const r = await run('mbsync', ['-c', file, 'work'], envFor(home));
        assert.equal(r.code, 0, redact(r.stderr + dovecot.log().slice(mark)));
        // neomutt has read it by now: new/ or cur/ depending on \Seen.
        const files = ['new', 'cur'].flatMap((d) =>
          readdirSync(join(maildir, 'INBOX', d)).map((f) => join(maildir, 'INBOX', d, f)),
        );
        assert.equal(files.length, 1);
        const message = readFileSync(files[0]!, 'utf8');
        assert.match(message, new RegExp(`Subject: ${SUBJECT}`));
        assert.equal(await dovecotLogins(mark, 'XOAUTH2', 1), 1);
      });

      it('signed out: "PassCmd exited with status 4" at once, nothing synced', async () => {
        const { file, maildir } = mbsyncrc(signedOut);
        const r = await run('mbsync', ['-c', file, 'work'], envFor(signedOut), { timeoutMs: 15_000 });
        assert.equal(r.code, 1, redact(r.stderr));
        assert.match(r.stderr, /sign-in required/);
        assert.match(r.stderr, /PassCmd exited with status 4/);
        assert.deepEqual(readdirSync(maildir), []);
      });
    });

    describe('Python imaplib and smtplib', () => {
      // The scripts of docs/mail.md; only the connection lines differ (test server, its certificate, no TLS
      // on this Postfix).
      const helper = `import base64, subprocess, sys

def xoauth2(scope):
    """The SASL XOAUTH2 string from tokenloop (decoded: imaplib and smtplib base64-encode it themselves)."""
    try:
        out = subprocess.run(["tokenloop", "token", "--profile", "mail", "--format", "xoauth2", "--scope", scope],
                             stdout=subprocess.PIPE, text=True, check=True).stdout
    except subprocess.CalledProcessError as e:
        sys.exit(f"tokenloop token failed (exit {e.returncode})")
    return base64.b64decode(out)
`;
      const imapScript = () => `${helper}
import imaplib, ssl
imap = imaplib.IMAP4_SSL("127.0.0.1", ${dovecot.imaps}, ssl_context=ssl.create_default_context(cafile="${dovecot.caFile}"))
sasl = xoauth2("${IMAP_SCOPE}")
# On a refusal the server sends an error challenge: answer it with an empty response.
imap.authenticate("XOAUTH2", lambda challenge: b"" if challenge else sasl)
imap.select("INBOX", readonly=True)
typ, data = imap.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
print(data[0][1].decode().strip())
imap.logout()
`;
      const smtpScript = () => `${helper}
import smtplib
from email.message import EmailMessage
msg = EmailMessage()
msg["From"], msg["To"], msg["Subject"] = "${USER}", "bob@example.test", "smtplib recipe"
msg.set_content("${BODY}")
with smtplib.SMTP("127.0.0.1", ${postfix.port}) as smtp:
    sasl = xoauth2("${SMTP_SCOPE}").decode()
    smtp.auth("XOAUTH2", lambda challenge=None: "" if challenge else sasl)
    smtp.send_message(msg)
`;

      it('imaplib: authenticate("XOAUTH2") with tokenloop --format xoauth2, reads the subject', async () => {
        const mark = dovecot.log().length;
        writeFileSync(join(home, 'imap.py'), imapScript());
        const r = await run('python3', [join(home, 'imap.py')], envFor(home));
        assert.equal(r.code, 0, redact(r.stderr + dovecot.log().slice(mark)));
        assert.equal(r.stdout.trim(), `Subject: ${SUBJECT}`);
        assert.equal(await dovecotLogins(mark, 'XOAUTH2', 1), 1);
      });

      it('smtplib: auth("XOAUTH2") with tokenloop --format xoauth2, the message reaches the server', async () => {
        writeFileSync(join(home, 'smtp.py'), smtpScript());
        const r = await run('python3', [join(home, 'smtp.py')], envFor(home));
        assert.equal(r.code, 0, redact(r.stderr + postfix.log()));
        await postfix.sink.waitFor(/Subject: smtplib recipe/, 10_000);
        assert.match(postfix.log(), new RegExp(`sasl_method=XOAUTH2, sasl_username=${USER}`));
      });

      it("signed out: both scripts stop at once with tokenloop's reason and its exit code", async () => {
        for (const [name, script] of [
          ['imap.py', imapScript],
          ['smtp.py', smtpScript],
        ] as const) {
          writeFileSync(join(signedOut, name), script());
          const r = await run('python3', [join(signedOut, name)], envFor(signedOut), { timeoutMs: 15_000 });
          assert.equal(r.code, 1, redact(r.stderr));
          assert.match(r.stderr, /sign-in required/);
          assert.match(r.stderr, /tokenloop token failed \(exit 4\)/);
        }
      });
    });

    describe('Node: imapflow and nodemailer with `tokenloop token`', () => {
      // The snippet of docs/mail.md; the token is read from the CLI in a child process and kept in memory.
      const token = (scope: string) =>
        execFileSync('tokenloop', ['token', '--profile', 'mail', '--scope', scope], {
          env: envFor(home),
          encoding: 'utf8',
        }).trim();

      it('imapflow logs in with XOAUTH2 and reads the subject', async () => {
        const imap = new ImapFlow({
          host: '127.0.0.1',
          port: dovecot.imaps,
          secure: true,
          tls: { ca: dovecot.caPem },
          auth: { user: USER, accessToken: token(IMAP_SCOPE) },
          logger: false,
        });
        await imap.connect();
        try {
          await imap.mailboxOpen('INBOX', { readOnly: true });
          const message = await imap.fetchOne('1', { envelope: true });
          assert.equal(message && message.envelope?.subject, SUBJECT);
        } finally {
          await imap.logout();
        }
      });

      it('nodemailer sends with XOAUTH2; the message reaches the server', async () => {
        const smtp = nodemailer.createTransport({
          host: '127.0.0.1',
          port: postfix.port,
          secure: false,
          auth: { type: 'OAuth2', user: USER, accessToken: token(SMTP_SCOPE) },
        });
        await smtp.sendMail({ from: USER, to: 'bob@example.test', subject: 'nodemailer recipe', text: BODY });
        smtp.close();
        await postfix.sink.waitFor(/Subject: nodemailer recipe/, 10_000);
        assert.match(postfix.log(), new RegExp(`sasl_method=XOAUTH2, sasl_username=${USER}`));
      });

      it('signed out: execFileSync throws with status 4 (sign-in required)', () => {
        assert.throws(
          () =>
            execFileSync('tokenloop', ['token', '--profile', 'mail', '--scope', IMAP_SCOPE], {
              env: envFor(signedOut),
              encoding: 'utf8',
              stdio: ['ignore', 'pipe', 'pipe'],
            }),
          (err: { status?: number; stderr?: string }) =>
            err.status === 4 && /sign-in required/.test(err.stderr ?? ''),
        );
      });
    });
  },
);
