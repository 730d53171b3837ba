import type { Socket } from 'node:net';
import type { ProxyContext } from './proxy-context.js';
import type { Credentials } from './sasl-credentials.js';

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
