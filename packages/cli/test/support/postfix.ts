// A private Postfix submission server on a 127.0.0.1 high port: SASL (XOAUTH2 / OAUTHBEARER) through a running
// Dovecot's auth-client socket, line_length_limit raised so that a client may send the token inline
// (`AUTH XOAUTH2 <initial response>`, as nodemailer does), mail from authenticated clients relayed to an SMTP
// sink where the test can see it. Set-up as in docs/mail.md: needs root (as the suite runs),
// its own config, queue and data directories, `postfix -c DIR start`, no chroot, log to a file (no syslog).
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForGreeting } from './greeting.js';
import { type SmtpSink, startSmtpSink } from './smtp-sink.js';

export interface RunningPostfix {
  /** The submission port (plain; no TLS: loopback only). */
  port: number;
  /** Where authenticated mail ends up. */
  sink: SmtpSink;
  /** Postfix's log so far (smtpd's SASL results, the relay's deliveries). */
  log(): string;
  /** `postfix -c DIR stop`, waits for its master to exit, removes everything. Stop Postfix before Dovecot. */
  stop(): Promise<void>;
}

export interface PostfixOptions {
  /** Dovecot's auth-client socket (`RunningDovecot.authSocket`); it must exist before Postfix starts. */
  authSocket: string;
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Running, and not a zombie (the daemonized master's parent is init, which may reap it late or never). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The services Postfix needs to accept mail on one port and relay it; nothing chrooted, nothing local. */
const masterCf = (port: number, authSocket: string) => `
127.0.0.1:${port} inet n - n - - smtpd
  -o syslog_name=postfix/submission
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_sasl_type=dovecot
  -o smtpd_sasl_path=${authSocket}
  -o smtpd_tls_security_level=none
  -o smtpd_tls_auth_only=no
  -o line_length_limit=16384
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n -  0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n -  - trivial-rewrite
bounce    unix  - - n -  0 bounce
defer     unix  - - n -  0 bounce
trace     unix  - - n -  0 bounce
verify    unix  - - n -  1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -  - proxymap
proxywrite unix - - n -  1 proxymap
smtp      unix  - - n -  - smtp
relay     unix  - - n -  - smtp
showq     unix  n - n -  - showq
error     unix  - - n -  - error
retry     unix  - - n -  - error
discard   unix  - - n -  - discard
anvil     unix  - - n -  1 anvil
scache    unix  - - n -  1 scache
postlog   unix-dgram n - n - 1 postlogd
`;

export async function startPostfix(options: PostfixOptions): Promise<RunningPostfix> {
  if (!existsSync(options.authSocket))
    throw new Error(`Dovecot's auth socket ${options.authSocket} is missing: start Dovecot first`);
  const dir = mkdtempSync(join(tmpdir(), 'tl-postfix-'));
  chmodSync(dir, 0o755); // Postfix opens data_directory files as the postfix user
  const sink = await startSmtpSink();
  const port = await freePort();
  const etc = join(dir, 'etc'); // root-owned config only (postfix-script checks its ownership)
  const queue = join(dir, 'queue');
  const data = join(dir, 'data');
  const logFile = join(dir, 'maillog');
  const uid = Number(execFileSync('id', ['-u', 'postfix'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postfix'], { encoding: 'utf8' }).trim());
  const postdrop = Number(execFileSync('getent', ['group', 'postdrop'], { encoding: 'utf8' }).split(':')[2]);
  mkdirSync(etc);
  mkdirSync(data);
  chownSync(data, uid, gid);
  // The queue as postfix-files lays it out: `postfix start` would make it with a few hundred processes (2.5 s).
  mkdirSync(queue);
  mkdirSync(join(queue, 'pid'));
  for (const [name, group, mode] of [
    ...[
      'active',
      'bounce',
      'corrupt',
      'defer',
      'deferred',
      'flush',
      'hold',
      'incoming',
      'private',
      'saved',
      'trace',
    ].map((n) => [n, 0, 0o700] as const),
    ['maildrop', postdrop, 0o730] as const,
    ['public', postdrop, 0o710] as const,
  ]) {
    mkdirSync(join(queue, name));
    chownSync(join(queue, name), uid, group);
    chmodSync(join(queue, name), mode);
  }
  writeFileSync(
    join(etc, 'main.cf'),
    `
compatibility_level = 3.6
config_directory = ${etc}
queue_directory = ${queue}
data_directory = ${data}
maillog_file = ${logFile}
maillog_file_prefixes = ${dir}
mail_owner = postfix
setgid_group = postdrop
myhostname = submission.test
mydomain = submission.test
myorigin = submission.test
mydestination =
local_recipient_maps =
local_transport = error:no local delivery
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
relayhost = [127.0.0.1]:${sink.port}
smtp_tls_security_level = none
smtp_dns_support_level = disabled
smtpd_banner = $myhostname ESMTP
biff = no
`,
  );
  writeFileSync(join(etc, 'master.cf'), masterCf(port, options.authSocket));
  // `postfix` waits (2.4 s) for a main.cf changed within the last seconds to settle: these are final already.
  const past = new Date(Date.now() - 60_000);
  for (const f of ['main.cf', 'master.cf']) utimesSync(join(etc, f), past, past);
  const log = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const postfix = (command: string) =>
    execFileSync('/usr/sbin/postfix', ['-c', etc, command], { encoding: 'utf8', stdio: 'pipe' });
  const stop = async () => {
    const pidFile = join(queue, 'pid', 'master.pid');
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : 0;
    try {
      postfix('stop');
    } catch {
      // not running
    }
    // `postfix stop` only signals the master: wait for it (and so its children) to be gone.
    for (let i = 0; pid > 0 && alive(pid); i++) {
      if (i === 50) process.kill(pid, 'SIGKILL');
      await sleep(50);
    }
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    postfix('start');
    // Ready when smtpd greets (the master forks it on the first connection).
    await waitForGreeting(port, /^220/, { what: 'postfix' });
  } catch (err) {
    const detail = log();
    await stop();
    throw new Error(`${(err as Error).message}\n${detail}`, { cause: err });
  }
  return { port, sink, log, stop };
}
