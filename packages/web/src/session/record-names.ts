import { createHash } from 'node:crypto';
import type { ResolvedAuthority } from 'tokenloop';

/**
 * The names of everything the web layer keeps in a session store, in one place (S97). Sessions and sign-ins in
 * progress live in the namespace of the app that made them — its authority (or issuer), client id and public
 * origin — so that two apps sharing a store (one Redis with one key and prefix, one memory store in a process)
 * never read each other's records, and a store that seals values (`sessionSealer`) binds each value to that
 * namespace too: the name is the sealed value's associated data. Account records (which sessions use an
 * account's server-side tokens, S66) live in the namespace of those tokens: the token cache keeps one record
 * per cloud, client id and account, whatever the tenant or origin.
 */

/** The app a session belongs to: checked again on every read (S97). */
export interface AppIdentity {
  /** The configured authority (Entra) or issuer. */
  issuer: string;
  clientId: string;
  /** The app's public origin (`baseUrl`). */
  origin: string;
}

export interface RecordNames {
  readonly app: AppIdentity;
  /**
   * A signed-in session, by its id (the cookie value): named by a hash of the id, so that an account's record
   * can list its sessions' names (S98: "sign out everywhere" deletes them) without holding a session id.
   */
  session(id: string): string;
  /** A session's name as an account record lists it (checked when the record was read, S68). */
  listedSession(name: string): string;
  /** A sign-in in progress, by its id (the transaction cookie value). */
  transaction(id: string): string;
  /** A form_post sign-in waiting for its finishing step (S54), by its id (the transaction cookie value). */
  finish(id: string): string;
  /** The sessions of an account (S66). */
  account(homeAccountId: string): string;
}

const tag = (parts: string[]) =>
  createHash('sha256').update(JSON.stringify(parts), 'utf8').digest('base64url').slice(0, 22);
const hashOf = (id: string) => createHash('sha256').update(id, 'utf8').digest('base64url');

/** The shape of every session name (`s:<app>:<hash of the id>`). */
export const SESSION_NAME = /^s:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]{43}$/;

export function recordNames(o: {
  authority: ResolvedAuthority;
  clientId: string;
  origin: string;
}): RecordNames {
  const app: AppIdentity = { issuer: o.authority.url, clientId: o.clientId, origin: o.origin };
  const appTag = tag(['app', app.issuer, app.clientId, app.origin]);
  const tokensTag = tag(['tokens', o.authority.environment, o.clientId]);
  return {
    app,
    session: (id) => `s:${appTag}:${hashOf(id)}`,
    listedSession(name) {
      if (!SESSION_NAME.test(name)) throw new Error('not a session name');
      return name;
    },
    transaction: (id) => `t:${appTag}:${id}`,
    finish: (id) => `f:${appTag}:${id}`,
    account: (homeAccountId) => `a:${tokensTag}:${homeAccountId}`,
  };
}

/** S97: is a stored session this app's? */
export function isSameApp(record: AppIdentity, app: AppIdentity): boolean {
  return record.issuer === app.issuer && record.clientId === app.clientId && record.origin === app.origin;
}
