// S77: guessing local passwords through the mail proxy is slowed down per user and for the whole proxy, across
// connections and listeners, without ever locking the real user out for long. First the throttle's arithmetic
// with a simulated clock and relentless guessers (exact bounds), then the real proxy process in front of a real
// Dovecot: reconnecting clients on IMAP, POP3 and SMTP guessing at once get a bounded number of guesses, the log
// says so, and right after they stop the right password logs in within the stated bound.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, startEmulator } from '@tokenloop/emulator';
import {
  type LoginThrottle,
  MAX_WAIT_MS,
  RECOVERY_MS,
  loginThrottle,
} from '../src/commands/mail/proxy/login-throttle.js';
import { baseEnv, freshHome, runCli } from './support/cli.js';
import { type RunningDovecot, startDovecot, emulatorIntrospection } from './support/dovecot.js';
import { type RunningProxy, startProxy } from './support/mail-proxy.js';
import { type TextClient, textClient } from './support/text-client.js';

const ALICE = 'alice@contoso.onmicrosoft.com';
const PASSWORD = 'correct horse battery staple';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The documented bounds (docs/mail.md). */
const RECOVERY_S = 30;
const FIRST_15_S = 9; // 5 free attempts, then slots 1, 2, 4 and 8 s apart
const PER_MINUTE_LATER = 5; // one slot per 15 s once the back-off is at its cap

/**
 * Relentless guessers on a simulated clock: `clients` connections that, whenever idle, try again (every 10 ms
 * when refused). An admitted attempt is checked when its slot comes and fails. Returns the times of the checks.
 */
function simulate(
  throttle: LoginThrottle,
  clock: { t: number },
  o: { clients: number; untilMs: number; user: (i: number) => string },
): number[] {
  const checks: number[] = [];
  const busyUntil = new Array<number>(o.clients).fill(0);
  const pending: { at: number; done: (ok: boolean) => void }[] = [];
  let n = 0;
  for (const end = clock.t + o.untilMs; clock.t < end; clock.t += 10) {
    pending.sort((a, b) => a.at - b.at);
    while (pending.length && pending[0]!.at <= clock.t) {
      checks.push(clock.t);
      pending.shift()!.done(false);
    }
    for (let c = 0; c < o.clients; c++) {
      if (busyUntil[c]! > clock.t) continue;
      const slot = throttle.admit(o.user(n++));
      if (!slot.admitted) continue;
      busyUntil[c] = clock.t + slot.waitMs + 10;
      pending.push({ at: clock.t + slot.waitMs, done: slot.done });
    }
  }
  return checks;
}

/** The right password from the moment the guessing stopped: retry when told to, until it is checked. */
function rightPasswordAfter(throttle: LoginThrottle, clock: { t: number }, user: string): number {
  const stopped = clock.t;
  for (;;) {
    const slot = throttle.admit(user);
    if (slot.admitted) {
      clock.t += slot.waitMs;
      slot.done(true);
      return clock.t - stopped;
    }
    clock.t += slot.retryAfterMs;
  }
}

describe('S77 the login throttle (simulated clock)', () => {
  it('S77 one user, many connections guessing without pause: bounded guesses per window, per user', () => {
    const clock = { t: 1_000_000 };
    const throttle = loginThrottle(() => clock.t);
    const checks = simulate(throttle, clock, { clients: 8, untilMs: 300_000, user: () => ALICE });
    const within = (from: number, ms: number) =>
      checks.filter((t) => t >= 1_000_000 + from && t < 1_000_000 + from + ms).length;
    assert.ok(within(0, 15_000) <= FIRST_15_S, `${within(0, 15_000)} guesses in the first 15 s`);
    for (let from = 60_000; from + 60_000 <= 300_000; from += 10_000)
      assert.ok(within(from, 60_000) <= PER_MINUTE_LATER, `${within(from, 60_000)} guesses in a minute`);
    assert.ok(checks.length >= 15, 'guessing was slowed, not stopped');
    assert.ok(
      rightPasswordAfter(throttle, clock, ALICE) <= RECOVERY_S * 1000,
      'the right password works soon',
    );
  });

  it('S77 guesses spread over many user names: bounded for the whole proxy, and the real user recovers', () => {
    const clock = { t: 5_000_000 };
    const throttle = loginThrottle(() => clock.t);
    const checks = simulate(throttle, clock, { clients: 8, untilMs: 300_000, user: (i) => `u${i}@x.test` });
    const later = checks.filter((t) => t >= 5_060_000 && t < 5_120_000).length;
    assert.ok(later <= 60 / 4 + 1, `${later} guesses a minute over the whole proxy (one per 4 s)`);
    assert.ok(
      rightPasswordAfter(throttle, clock, ALICE) <= RECOVERY_S * 1000,
      'the right password works soon',
    );
  });

  it('S77 nothing locks: the stated recovery bound holds, and a few typos cost nothing', () => {
    assert.equal(RECOVERY_MS, RECOVERY_S * 1000);
    assert.ok(MAX_WAIT_MS <= RECOVERY_MS);
    const clock = { t: 0 };
    const throttle = loginThrottle(() => clock.t);
    for (let i = 0; i < 3; i++) {
      const slot = throttle.admit('bob@x.test');
      assert.ok(slot.admitted && slot.waitMs === 0);
      slot.done(false);
    }
    const right = throttle.admit('BOB@x.test');
    assert.ok(right.admitted && right.waitMs === 0, 'no wait after three typos');
    right.done(true);
    // Five parallel connections of one mail program are not slowed either.
    const parallel = Array.from({ length: 5 }, () => throttle.admit('bob@x.test'));
    assert.ok(parallel.every((s) => s.admitted && s.waitMs === 0));
  });
});

describe('S77 mail proxy: reconnecting guessers against the real proxy and Dovecot', () => {
  let em: RunningEmulator;
  let dovecot: RunningDovecot;
  let proxy: RunningProxy;
  before(async () => {
    em = await startEmulator({ autoLogin: 'alice', settings: { deviceCodeInterval: 1 } });
    dovecot = await startDovecot(emulatorIntrospection(em.url), { tls: true });
    const env = baseEnv(freshHome(), { NODE_EXTRA_CA_CERTS: dovecot.certFile });
    const scopes = ['IMAP.AccessAsUser.All', 'POP.AccessAsUser.All', 'SMTP.Send'].map(
      (s) => `https://outlook.office.com/${s}`,
    );
    const add = await runCli(
      ['profile', 'add', 'mail', '--emulator', em.url, ...scopes.flatMap((s) => ['--scope', s])],
      env,
    );
    assert.equal(add.code, 0, add.stderr);
    assert.equal((await runCli(['login', '--device'], env)).code, 0);
    assert.equal((await runCli(['mail', 'password', ALICE, '--stdin'], env, `${PASSWORD}\n`)).code, 0);
    proxy = await startProxy(
      [
        ...['--imap', `0=imaps://127.0.0.1:${dovecot.imaps}`],
        ...['--pop3', `0=pop3s://127.0.0.1:${dovecot.pop3s}`],
        ...['--smtp', `0=submission://127.0.0.1:${dovecot.submission}`],
      ],
      env,
    );
  });
  after(async () => {
    await proxy?.stop();
    assert.ok(!(proxy?.log() ?? '').includes(PASSWORD), 'the log holds no password');
    await dovecot?.stop();
    await em?.close();
  });

  /** One wrong login on an open connection of `protocol` (throws when the proxy closed it). */
  async function guess(protocol: 'imap' | 'pop3' | 'smtp', c: TextClient, n: number): Promise<void> {
    const wrong = `wrong guess number ${n}`;
    if (protocol === 'imap') {
      c.send(`g${n} LOGIN "${ALICE}" "${wrong}"`);
      await c.waitFor(new RegExp(`^g${n} `), 20_000);
    } else if (protocol === 'pop3') {
      c.send(`AUTH PLAIN ${b64(`\0${ALICE}\0${wrong}`)}`);
      await c.waitFor(/^[+-]/, 20_000);
    } else {
      c.send(`AUTH PLAIN ${b64(`\0${ALICE}\0${wrong}`)}`);
      await c.waitFor(/^\d{3} /, 20_000);
    }
  }

  async function open(protocol: 'imap' | 'pop3' | 'smtp'): Promise<TextClient> {
    const c = await textClient(proxy.ports[protocol]!);
    await c.waitFor(protocol === 'imap' ? /^\* OK/ : protocol === 'pop3' ? /^\+OK/ : /^220 /);
    if (protocol === 'smtp') {
      c.send('EHLO guesser.test');
      await c.waitFor(/^250 /);
    }
    return c;
  }

  it('S77 four reconnecting clients on IMAP, POP3 and SMTP: bounded guesses, logged; then the right password works', async (t) => {
    const WINDOW_MS = 12_000;
    const stopAt = Date.now() + WINDOW_MS;
    const open_: TextClient[] = [];
    let attempts = 0;
    const guesser = async (k: number) => {
      const protocols = ['imap', 'pop3', 'smtp'] as const;
      for (let round = 0; Date.now() < stopAt; round++) {
        const protocol = protocols[(k + round) % 3]!;
        let c: TextClient;
        try {
          c = await open(protocol);
        } catch {
          continue;
        }
        open_.push(c);
        try {
          for (let i = 0; i < 3 && Date.now() < stopAt; i++) await guess(protocol, c, attempts++);
        } catch {
          // closed by the proxy after three wrong passwords, or stopped below
        }
        c.close();
      }
    };
    const guessers = Promise.all([0, 1, 2, 3].map(guesser));
    await sleep(WINDOW_MS);
    for (const c of open_) c.close(); // the guessing stops now
    const stopped = Date.now();
    const logNow = proxy.log();
    const checked = (logNow.match(/wrong local password for alice@contoso\.onmicrosoft\.com/g) ?? []).length;
    const slowed = logNow.split('\n').filter((l) => /too many failed logins/.test(l));
    t.diagnostic(`${attempts} guesses sent, ${checked} checked in ${WINDOW_MS / 1000} s`);
    t.diagnostic(`${slowed.length} log lines about it, e.g. ${slowed.at(-1)?.replace(/^\S+ /, '') ?? '-'}`);
    assert.ok(checked <= FIRST_15_S, `${checked} passwords were checked in ${WINDOW_MS / 1000} s`);
    assert.ok(checked >= 5, 'the first guesses were checked (slowed down, not locked)');
    assert.ok(slowed.length >= 1, 'the slow-down is logged');
    assert.ok(slowed.length <= 20, 'but not once per refused attempt');

    // The right password, as a mail program would retry it when told to try again later.
    let last = '';
    while (Date.now() - stopped < (RECOVERY_S + 5) * 1000) {
      const c = await open('imap');
      c.send(`r1 LOGIN "${ALICE}" "${PASSWORD}"`);
      last = (await c.waitFor(/^r1 /, 40_000)).at(-1)!;
      c.close();
      const later = /try again in (\d+) s/.exec(last);
      if (!later) break;
      await sleep(Number(later[1]) * 1000);
    }
    const took = Date.now() - stopped;
    assert.match(last, /^r1 OK/, 'the right password logs in (the server answered)');
    assert.ok(
      took <= (RECOVERY_S + 5) * 1000,
      `logged in ${Math.round(took / 1000)} s after the guessing stopped`,
    );
    await guessers;
  });
});

describe('S77 sweep: every local password check goes through the throttle', () => {
  it('S77 only front-login.ts calls checkPassword and checkLogin, and every front logs in through frontLogins', () => {
    const dir = join(import.meta.dirname, '..', 'src', 'commands', 'mail', 'proxy');
    const sources = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => ({ f, text: readFileSync(join(dir, f), 'utf8') }));
    const callers = sources.filter(({ text }) => /\.checkPassword\(/.test(text)).map(({ f }) => f);
    assert.deepEqual(callers, ['front-login.ts']);
    const fronts = sources.filter(({ text }) => /export async function serve\w+\(/.test(text));
    assert.equal(fronts.length, 3);
    for (const { f, text } of fronts) assert.match(text, /frontLogins\(ctx, id, conn, socket\)/, f);
    const checkers = sources.filter(({ text }) => /\bcheckLogin\(/.test(text)).map(({ f }) => f);
    assert.deepEqual(checkers, ['front-login.ts'], 'the password check and its answer in one place');
    const failures = sources
      .filter(({ text }) => /new UpstreamFailure\('failure'/.test(text))
      .map(({ f }) => f);
    assert.deepEqual(failures, ['front-login.ts'], 'an upstream login failure answered in one place');
    const run = sources.find(({ f }) => f === 'run-mail-proxy.ts')!.text;
    assert.equal((run.match(/loginThrottle\(\)/g) ?? []).length, 1, 'one throttle for the whole process');
  });
});
