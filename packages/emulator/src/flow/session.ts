import { randomBytes } from 'node:crypto';
import type { EmulatorContext } from '../context.js';
import { cookie } from '../http/respond.js';
import type { Exchange } from '../http/route.js';
import type { SsoSession } from '../state/records.js';

export const SESSION_COOKIE = 'tokenloop_sso';
const SESSION_LIFETIME_MS = 24 * 3600_000;

/** The browser's single sign-on session, if its cookie names a live one. */
export function currentSession(ctx: EmulatorContext, x: Exchange): SsoSession | undefined {
  const id = x.cookies.get(SESSION_COOKIE);
  return id ? ctx.state.sessions.get(id) : undefined;
}

/**
 * Records that `userId` signed in in this browser; creates the session and sets its cookie as needed. With
 * `renew` (the user just typed their password) the session gets a new id, and the old id stops working, so a
 * session id planted in the browser before the sign-in is worth nothing after it (session fixation).
 */
export function signInToSession(
  ctx: EmulatorContext,
  x: Exchange,
  userId: string,
  authTime: number,
  opts: { renew: boolean },
): SsoSession {
  const current = currentSession(ctx, x);
  let session: SsoSession;
  if (current && !opts.renew) session = current;
  else {
    if (current) ctx.state.sessions.delete(current.id);
    session = {
      id: randomBytes(24).toString('base64url'),
      users: current?.users ?? [],
      createdAt: Date.now(),
    };
  }
  session.users = [{ userId, authTime }, ...session.users.filter((u) => u.userId !== userId)].slice(0, 10);
  ctx.state.sessions.set(session.id, session, Date.now() + SESSION_LIFETIME_MS);
  x.res.appendHeader(
    'Set-Cookie',
    cookie(SESSION_COOKIE, session.id, {
      secure: ctx.secure,
      sameSite: ctx.secure ? 'None' : 'Lax',
      maxAge: 86_400,
    }),
  );
  return session;
}

/** Ends the SSO session (all accounts, as Entra's logout does) and clears its cookie. */
export function endSession(ctx: EmulatorContext, x: Exchange): void {
  const id = x.cookies.get(SESSION_COOKIE);
  if (id) ctx.state.sessions.delete(id);
  x.res.appendHeader('Set-Cookie', cookie(SESSION_COOKIE, '', { secure: ctx.secure, maxAge: 0 }));
}
