#!/usr/bin/env node
// Installs the Debian packages the test suite drives for real, when they are missing (we run as root
// on CI and dev machines). Each entry: the file that proves it is installed, and the packages to install.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const NEEDED = [
  {
    proof: '/usr/bin/chromium',
    packages: ['chromium', 'fonts-liberation'],
    why: 'browser tests (playwright-core)',
  },
  {
    proof: '/usr/lib/dovecot/submission',
    packages: ['dovecot-imapd', 'dovecot-pop3d', 'dovecot-submissiond'],
    why: 'mail tests against a real Dovecot (IMAP, POP3, submission with XOAUTH2 / OAUTHBEARER)',
  },
  {
    proof: '/usr/sbin/postfix',
    packages: ['postfix'],
    why: 'mail tests against a real Postfix submission (Dovecot SASL, private config dir)',
  },
  {
    proof: '/usr/bin/tmux',
    packages: ['tmux'],
    why: 'the CLI in a real terminal (tmux send-keys / capture-pane)',
  },
  {
    proof: '/usr/bin/curl',
    packages: ['curl'],
    why: 'the CLI recipes (curl with a bearer token)',
  },
  {
    proof: '/usr/bin/git',
    packages: ['git'],
    why: 'the CLI recipes (git over HTTP with a bearer token)',
  },
  {
    proof: '/usr/bin/redis-server',
    packages: ['redis-server'],
    why: 'Redis token-cache store tests (a real redis-server per test run)',
  },
  {
    proof: '/usr/bin/neomutt',
    packages: ['neomutt'],
    why: 'the mail recipes (neomutt: IMAP and SMTP with XOAUTH2 from tokenloop)',
  },
  {
    proof: '/usr/bin/msmtp',
    packages: ['msmtp'],
    why: 'the mail recipes (msmtp: SMTP with XOAUTH2 / OAUTHBEARER from tokenloop)',
  },
  {
    proof: '/usr/bin/mbsync',
    packages: ['isync'],
    why: 'the mail recipes (isync / mbsync: IMAP sync with XOAUTH2 from tokenloop)',
  },
  {
    proof: '/usr/share/doc/libsasl2-modules-kdexoauth2/copyright',
    packages: ['libsasl2-modules-kdexoauth2'],
    why: "the mail recipes (the Cyrus SASL XOAUTH2 mechanism mbsync's AuthMechs XOAUTH2 needs)",
  },
  {
    proof: '/usr/bin/python3',
    packages: ['python3'],
    why: 'the mail recipes (Python imaplib and smtplib with XOAUTH2 from tokenloop)',
  },
  {
    proof: '/usr/lib/python3/dist-packages/msal/__init__.py',
    packages: ['python3-msal'],
    why: "emulator fidelity tests with Microsoft's MSAL Python (its token cache judges the token responses)",
  },
];

const missing = NEEDED.filter((n) => !existsSync(n.proof));
if (missing.length === 0) process.exit(0);

const packages = missing.flatMap((m) => m.packages);
console.error(
  `ensure-system-deps: installing ${packages.join(' ')} (${missing.map((m) => m.why).join('; ')})`,
);
if (process.getuid?.() !== 0) {
  console.error(`ensure-system-deps: not root; run: sudo apt-get install -y ${packages.join(' ')}`);
  process.exit(1);
}
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
try {
  // Postfix asks how to configure the system mailer: "No configuration", so that no system Postfix is set up
  // or started (the tests run their own, from a private config directory).
  if (packages.includes('postfix'))
    execFileSync('debconf-set-selections', [], {
      input: 'postfix postfix/main_mailer_type select No configuration\n',
      stdio: ['pipe', 'inherit', 'inherit'],
      env,
    });
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
    stdio: 'inherit',
    env,
  });
} catch {
  console.error('ensure-system-deps: apt-get failed; see the output above');
  process.exit(1);
}
for (const m of missing) {
  if (!existsSync(m.proof)) {
    console.error(`ensure-system-deps: ${m.proof} still missing after installing ${m.packages.join(' ')}`);
    process.exit(1);
  }
}
