import type { Socket } from 'node:net';
import type { LineConnection } from '../line-connection.js';
import { MAX_FAILED_LOGINS, type ProxyContext } from './proxy-context.js';
import type { Credentials } from './sasl-credentials.js';
import { UpstreamFailure } from './upstream.js';

/** What the front tells the mail program: logged in, wrong password, or try again later (and why). */
export type LoginVerdict = 'ok' | 'wrong' | { later: string };

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * S77: the one way a front checks a local password: through the proxy's login throttle (per user and for the
 * whole proxy, across connections), with a log line when attempts are slowed down or refused.
 */
export async function checkLogin(
  ctx: ProxyContext,
  id: string,
  creds: Credentials,
  socket: Socket,
): Promise<LoginVerdict> {
  const slot = ctx.logins.admit(creds.user);
  if (!slot.admitted) {
    const who = slot.scope === 'user' ? creds.user : 'this proxy';
    if (slot.logRefused !== undefined)
      ctx.log(
        id,
        `too many failed logins for ${who}: refusing attempts for ${seconds(slot.retryAfterMs)} s (${slot.logRefused} refused)`,
      );
    return { later: `too many failed logins for ${who}; try again in ${seconds(slot.retryAfterMs)} s` };
  }
  let ok: boolean | undefined;
  try {
    if (slot.waitMs > 0) {
      if (slot.waitMs >= 1000)
        ctx.log(
          id,
          `too many failed logins (${slot.failures}): the attempt for ${creds.user} waits ${seconds(slot.waitMs)} s`,
        );
      await sleep(slot.waitMs);
      if (socket.destroyed) return 'wrong'; // gone: nothing to answer, nothing tried
    }
    ok = await ctx.checkPassword(creds.user, creds.password);
  } finally {
    slot.done(ok);
  }
  if (!ok) ctx.log(id, `wrong local password for ${creds.user}`);
  return ok ? 'ok' : 'wrong';
}

/** How a front words its answers to a login that does not go through. */
export interface LoginReplies {
  /** Attempts refused for now by the throttle (S77): `why` says for how long. */
  later(why: string): string;
  /** A wrong local password. */
  wrong: string;
  /** Said before the connection is closed for too many wrong passwords (IMAP's untagged BYE). */
  farewell?: string;
  /** The login to the real server failed. */
  upstream(failure: UpstreamFailure): string;
}

/**
 * A front's login, the same for IMAP, POP3 and SMTP. S77: the local password checked (`checkLogin`), a refusal
 * answered in the front's words, and the MAX_FAILED_LOGINS-th wrong password on one connection ends it. Then
 * the login to the real server (`open`): logged when it succeeds; when it fails, logged and answered. Returns
 * the upstream session, 'again' (answered: read the next command) or 'closed' (the connection is ending).
 */
export function frontLogins(
  ctx: ProxyContext,
  id: string,
  conn: LineConnection,
  socket: Socket,
): <T extends object>(
  creds: Credentials,
  replies: LoginReplies,
  open: (user: string) => Promise<T>,
) => Promise<T | 'again' | 'closed'> {
  let failures = 0;
  return async (creds, replies, open) => {
    const verdict = await checkLogin(ctx, id, creds, socket);
    if (typeof verdict === 'object') {
      conn.writeLine(replies.later(verdict.later));
      return 'again';
    }
    if (verdict === 'wrong') {
      failures++;
      conn.writeLine(replies.wrong);
      if (failures < MAX_FAILED_LOGINS) return 'again';
      if (replies.farewell !== undefined) conn.writeLine(replies.farewell);
      socket.end();
      return 'closed';
    }
    try {
      const session = await open(creds.user);
      ctx.log(id, `${creds.user}: logged in to ${ctx.upstream.host}`);
      return session;
    } catch (err) {
      const f = err instanceof UpstreamFailure ? err : new UpstreamFailure('failure', (err as Error).message);
      ctx.log(id, `${creds.user}: upstream login failed: ${f.text}`);
      conn.writeLine(replies.upstream(f));
      return 'again';
    }
  };
}
