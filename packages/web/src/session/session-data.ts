import type { AuthorizationTransaction } from 'tokenloop';
import { type AppIdentity, SESSION_NAME } from './record-names.js';

/**
 * The records the web layer keeps in a session store, and their runtime checks (S68). Whatever a store returns
 * (memory, Redis, an app's own) is untrusted input: a record of the wrong shape is treated as absent, and only
 * the known fields are copied out, so nothing reaches the code as a bare cast.
 */

/** Who signed in: what a session keeps of the sign-in. Tokens are never in it. */
export interface SignedInUser {
  homeAccountId: string;
  username: string | undefined;
  name: string | undefined;
  tenantId: string | undefined;
  /** Selected ID-token claims, strings only. */
  claims: Record<string, string>;
}

/** A signed-in session as stored under `s:<app>:<hash of the id>`. */
export interface StoredSession extends SignedInUser {
  /** S97: the app that created it. */
  app: AppIdentity;
  signedInAt: number;
  /** S98: the epoch of the account's record when the session began; it must still be the record's. */
  epoch: string;
}

/**
 * A form_post sign-in whose code was redeemed, waiting for its same-site finishing step (S54), as stored under
 * `f:<app>:<id>`.
 */
export interface StoredFinish {
  user: SignedInUser;
  returnTo: string;
}

/** A sign-in in progress as stored under `t:<app>:<id>`. */
export interface StoredTransaction {
  transaction: AuthorizationTransaction;
  returnTo: string;
}

/**
 * The longest text a stored session, finish or transaction keeps (a claim, returnTo, state, nonce, …): what is
 * stored is read back with this bound, and a sign-in keeps only the ID-token claims within it.
 */
export const MAX_STORED_TEXT = 4096;

/** The ID-token claims a session keeps. */
export const SESSION_CLAIMS = ['oid', 'tid', 'sub', 'name', 'preferred_username', 'email'] as const;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const text = (v: unknown, max = MAX_STORED_TEXT): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= max;
const optionalText = (v: unknown): v is string | undefined => v === undefined || text(v);
const time = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
/** An account record's epoch (S98): 32 random bytes, base64url. */
const isEpoch = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z0-9_-]{43}$/.test(v);

function parseApp(value: unknown): AppIdentity | undefined {
  if (!isRecord(value)) return undefined;
  const { issuer, clientId, origin } = value;
  return text(issuer) && text(clientId) && text(origin) ? { issuer, clientId, origin } : undefined;
}

function parseUser(value: Record<string, unknown>): SignedInUser | undefined {
  const { homeAccountId, username, name, tenantId, claims } = value;
  if (!text(homeAccountId, 1024) || !isRecord(claims)) return undefined;
  if (!optionalText(username) || !optionalText(name) || !optionalText(tenantId)) return undefined;
  const kept: Record<string, string> = {};
  for (const [k, v] of Object.entries(claims)) {
    if (!(SESSION_CLAIMS as readonly string[]).includes(k) || !text(v)) return undefined;
    kept[k] = v;
  }
  return { homeAccountId, username, name, tenantId, claims: kept };
}

export function parseStoredSession(value: unknown): StoredSession | undefined {
  if (!isRecord(value)) return undefined;
  const { signedInAt, epoch } = value;
  const app = parseApp(value.app);
  const user = parseUser(value);
  if (!app || !user || !time(signedInAt) || !isEpoch(epoch)) return undefined;
  return { ...user, app, signedInAt, epoch };
}

export function parseStoredFinish(value: unknown): StoredFinish | undefined {
  if (!isRecord(value) || !text(value.returnTo) || !isRecord(value.user)) return undefined;
  const user = parseUser(value.user);
  return user && { user, returnTo: value.returnTo };
}

export function parseStoredTransaction(value: unknown): StoredTransaction | undefined {
  if (!isRecord(value) || !text(value.returnTo) || !isRecord(value.transaction)) return undefined;
  const t = value.transaction;
  const { state, nonce, codeVerifier, redirectUri, scopes, issuer, maxAge, responseMode, createdAt } = t;
  if (!text(state) || typeof nonce !== 'string' || nonce.length > MAX_STORED_TEXT || !text(codeVerifier))
    return undefined;
  if (!text(redirectUri) || !text(issuer) || !time(createdAt)) return undefined;
  if (!Array.isArray(scopes) || scopes.length > 100 || !scopes.every((s) => text(s, 1024))) return undefined;
  if (maxAge !== undefined && !(Number.isInteger(maxAge) && (maxAge as number) >= 0)) return undefined;
  if (responseMode !== 'query' && responseMode !== 'form_post') return undefined;
  return {
    returnTo: value.returnTo,
    transaction: {
      state,
      nonce,
      codeVerifier,
      redirectUri,
      scopes: [...(scopes as string[])],
      issuer,
      ...(maxAge === undefined ? {} : { maxAge: maxAge as number }),
      responseMode,
      createdAt,
    },
  };
}

/** The sessions of one account, as stored under `a:<tokens>:<homeAccountId>` (S66, S98). */
export interface StoredAccountSessions {
  /** Live sessions: each session's record name (a hash of its id, never the id) and when it ends. */
  sessions: { n: string; exp: number }[];
  /** S98: random, made when the record is; a session is current only while its epoch is the record's. */
  epoch: string;
}

export function parseAccountSessions(value: unknown): StoredAccountSessions | undefined {
  if (!isRecord(value) || !Array.isArray(value.sessions) || value.sessions.length > 1000) return undefined;
  const sessions: { n: string; exp: number }[] = [];
  for (const s of value.sessions) {
    if (!isRecord(s) || typeof s.n !== 'string' || !SESSION_NAME.test(s.n) || !time(s.exp)) return undefined;
    sessions.push({ n: s.n, exp: s.exp });
  }
  if (!isEpoch(value.epoch)) return undefined;
  return { sessions, epoch: value.epoch };
}
