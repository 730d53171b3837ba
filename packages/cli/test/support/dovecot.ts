// A private Dovecot (IMAP, POP3, submission) on 127.0.0.1 high ports, accepting XOAUTH2 / OAUTHBEARER, with
// tokens checked by the emulator's introspection endpoint or locally as JWTs (the emulator's signing key).
// Submission relays to a tiny SMTP sink started here. Set-up as in docs/mail.md ("Your own mail server against the emulator").
// With `tls: true`: a self-signed certificate for 127.0.0.1 / localhost, imaps and pop3s ports, and STARTTLS on
// the plain IMAP, POP3 and submission ports (offered, not required). Postfix (./postfix.ts) authenticates its
// submission clients through `authSocket`, which keeps its path across `restart()`.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAMPLE_IDS, SAMPLE_SECRETS } from '@tokenloop/emulator';
import { waitForGreeting } from './greeting.js';
import { type SmtpSink, startSmtpSink } from './smtp-sink.js';

export interface RunningDovecot {
  imap: number;
  pop3: number;
  submission: number;
  /** With `tls`: implicit-TLS ports (the plain ones then offer STARTTLS) and the certificate to trust. */
  imaps?: number;
  pop3s?: number;
  /** With `tls`: the self-signed server certificate (PEM file), which is its own CA: trust this. */
  caFile?: string;
  /** With `tls`: the same certificate as a string (`ca` of tls.connect, imapflow's `tls.ca`, nodemailer's). */
  caPem?: string;
  /** Same as `caFile` (the name the mail proxy tests use). */
  certFile?: string;
  /** Dovecot's auth-client socket for an MTA's SASL (Postfix `smtpd_sasl_path`); stable across restarts. */
  authSocket: string;
  /** The SMTP sink submission relays to. */
  sink: SmtpSink;
  /** Messages the SMTP sink received from submission (raw DATA). */
  delivered: string[];
  /** Dovecot's log so far (logins, auth failures with their reason). */
  log(): string;
  /** Stops Dovecot (cutting every session, as a server restart does) and starts it again on the same ports. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface DovecotOptions {
  /** Serve TLS with a self-signed certificate for 127.0.0.1 / localhost: imaps, pop3s and STARTTLS. */
  tls?: boolean;
}

/** What `startDovecot(check, { tls: true })` adds: the implicit-TLS ports and the certificate to trust. */
export interface DovecotTls {
  imaps: number;
  pop3s: number;
  caFile: string;
  caPem: string;
  certFile: string;
}

export type TokenCheck =
  | {
      mode: 'introspection';
      url: string;
      clientId: string;
      clientSecret: string;
      /**
       * Dovecot's `scope` setting for some protocols (`smtp` is Postfix's SASL service name): each gets its own
       * passdb in a `protocol` block, and every scope listed must be in the introspection reply's `scope`.
       */
      scopes?: Partial<Record<'imap' | 'pop3' | 'submission' | 'smtp', string>>;
    }
  | { mode: 'local'; jwksUrl: string; issuer: string; audience: string };

/**
 * The token check of a Dovecot that asks the emulator at `emulatorUrl` (its contoso tenant) whether a token is
 * valid, as the sample API app; `scopes` as in TokenCheck.
 */
export function emulatorIntrospection(
  emulatorUrl: string,
  scopes?: Partial<Record<'imap' | 'pop3' | 'submission' | 'smtp', string>>,
): TokenCheck {
  return {
    mode: 'introspection',
    url: `${emulatorUrl}/${SAMPLE_IDS.contoso}/oauth2/v2.0/introspect`,
    clientId: SAMPLE_IDS.apiApp,
    clientSecret: SAMPLE_SECRETS.apiApp,
    ...(scopes ? { scopes } : {}),
  };
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

/** Pids whose parent is `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export async function startDovecot(
  check: TokenCheck,
  options: DovecotOptions & { tls: true },
): Promise<RunningDovecot & DovecotTls>;
export async function startDovecot(check: TokenCheck, options?: DovecotOptions): Promise<RunningDovecot>;
export async function startDovecot(check: TokenCheck, options: DovecotOptions = {}): Promise<RunningDovecot> {
  // A port chosen free can be taken before Dovecot binds it (by any connection's local port): try new ones.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDovecotOnce(check, options);
    } catch (err) {
      if (attempt === 3 || !/Address already in use/.test((err as Error).message)) throw err;
    }
  }
}

async function startDovecotOnce(check: TokenCheck, options: DovecotOptions): Promise<RunningDovecot> {
  const dir = mkdtempSync(join(tmpdir(), 'tl-dovecot-'));
  chmodSync(dir, 0o755); // Dovecot's auth and mail processes run as the unprivileged dovecot user
  const [imap, pop3, submission] = [await freePort(), await freePort(), await freePort()];
  const [imaps, pop3s] = options.tls ? [await freePort(), await freePort()] : [0, 0];
  const certFile = join(dir, 'cert.pem');
  if (options.tls) {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        certFile,
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
  }
  const caPem = options.tls ? readFileSync(certFile, 'utf8') : '';
  const sink = await startSmtpSink();
  const authSocket = join(dir, 'auth-client');
  const uid = Number(execFileSync('id', ['-u', 'dovecot'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'dovecot'], { encoding: 'utf8' }).trim());
  for (const d of ['run', 'state', 'mail', 'keys']) mkdirSync(join(dir, d), { recursive: true });
  chownSync(join(dir, 'mail'), uid, gid);
  let oauth2: string;
  if (check.mode === 'introspection') {
    oauth2 = [
      `introspection_url = ${check.url}`,
      'introspection_mode = post',
      'username_attribute = username',
      'active_attribute = active',
      'active_value = true',
      `client_id = ${check.clientId}`,
      `client_secret = ${check.clientSecret}`,
      'max_idle_time_msecs = 4000',
    ].join('\n');
  } else {
    // Keys from the emulator's JWKS, as PEM files where Dovecot looks for them: <dir>/default/<ALG>/<kid>.
    const jwks = (await (await fetch(check.jwksUrl)).json()) as { keys: { kid: string; kty: string }[] };
    for (const k of jwks.keys) {
      mkdirSync(join(dir, 'keys', 'default', 'RS256'), { recursive: true });
      const pem = createPublicKey({ key: k as never, format: 'jwk' })
        .export({ type: 'spki', format: 'pem' })
        .toString();
      writeFileSync(join(dir, 'keys', 'default', 'RS256', k.kid), pem);
    }
    oauth2 = [
      'introspection_mode = local',
      `local_validation_key_dict = fs:posix:prefix=${join(dir, 'keys')}/`,
      'username_attribute = upn',
      `issuers = ${check.issuer}`,
      `audience = ${check.audience}`,
    ].join('\n');
  }
  writeFileSync(join(dir, 'oauth2.conf'), `${oauth2}\n`);
  const scoped = Object.entries(check.mode === 'introspection' ? (check.scopes ?? {}) : {});
  for (const [protocol, scope] of scoped)
    writeFileSync(join(dir, `oauth2-${protocol}.conf`), `${oauth2}\nscope = ${scope}\n`);
  const passdb = (file: string) => `passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${join(dir, file)}
}`;
  const config = (runDir: string) => `
base_dir = ${runDir}
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
info_log_path = ${dir}/dovecot.log
listen = 127.0.0.1
${options.tls ? `ssl = yes\nssl_cert = <${certFile}\nssl_key = <${join(dir, 'key.pem')}` : 'ssl = no'}
disable_plaintext_auth = no
auth_mechanisms = xoauth2 oauthbearer
auth_failure_delay = 0
auth_cache_size = 0
auth_verbose = yes
protocols = imap pop3 submission
mail_location = maildir:${dir}/mail/%d/%n/Maildir
first_valid_uid = ${uid}
default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovenull
hostname = mail.test
postmaster_address = postmaster@mail.test
submission_relay_host = 127.0.0.1
submission_relay_port = ${sink.port}
submission_relay_trusted = yes
${passdb('oauth2.conf')}
${scoped.map(([protocol]) => `protocol ${protocol} {\n${passdb(`oauth2-${protocol}.conf`)}\n}`).join('\n')}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${dir}/mail/%d/%n allow_all_users=yes
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${imap}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${imaps}
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = ${pop3}
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = ${pop3s}
  }
}
service submission-login {
  inet_listener submission {
    address = 127.0.0.1
    port = ${submission}
  }
}
service auth {
  # For Postfix's smtpd (user postfix); the name's suffix makes it a client socket.
  unix_listener ${authSocket} {
    mode = 0666
  }
}
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
`;
  let child!: ChildProcess;
  let stderr = '';
  const log = () => {
    try {
      return readFileSync(join(dir, 'dovecot.log'), 'utf8');
    } catch {
      return '';
    }
  };
  let runs = 0;
  // A fresh base_dir on every start: a stale socket from the previous run costs seconds.
  const launch = async () => {
    const runDir = join(dir, `run${runs++}`);
    mkdirSync(runDir, { recursive: true });
    rmSync(authSocket, { force: true });
    writeFileSync(join(dir, 'dovecot.conf'), config(runDir));
    child = spawn('/usr/sbin/dovecot', ['-F', '-c', join(dir, 'dovecot.conf')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    // Ready when IMAP greets.
    await waitForGreeting(imap, /^\* OK/, {
      what: 'dovecot',
      gaveUp: () => child.exitCode !== null,
      detail: () => `${stderr}${log()}`,
    });
  };
  const halt = async () => {
    if (child.exitCode !== null) return;
    // The master's children: login processes with connections not yet logged in outlive it (~30 s), as do auth
    // processes with clients (Postfix). A real restart ends them all; so does this, by their pids.
    const children = childrenOf(child.pid!);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    for (const pid of children) {
      try {
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('dovecot/')) process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  try {
    await launch();
  } catch (err) {
    await halt();
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    imap,
    pop3,
    submission,
    ...(options.tls ? { imaps, pop3s, caFile: certFile, caPem, certFile } : {}),
    authSocket,
    sink,
    delivered: sink.delivered,
    log,
    async restart() {
      await halt();
      await launch();
    },
    async stop() {
      await halt();
      await sink.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
