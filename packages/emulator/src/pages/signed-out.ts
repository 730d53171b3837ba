import { isSafeTarget } from './csp.js';
import { escapeHtml } from './escape.js';
import { formFor, type RenderedPage, renderDocument } from './layout.js';

export interface SignedOutPageData {
  appName?: string;
  /** Where to offer to go back to; only linked when it is an absolute URL with a safe scheme. */
  postLogoutRedirectUri?: string;
}

/** Shown after sign-out (`/oauth2/v2.0/logout`). */
export function signedOutPage(d: SignedOutPageData): RenderedPage {
  const target = d.postLogoutRedirectUri;
  const lines = [
    '<h1>You have signed out</h1>',
    d.appName
      ? `<p>You have been signed out of ${escapeHtml(d.appName)}.</p>`
      : '<p>You have been signed out of your account.</p>',
    '<p class="muted">For your security, close any browser windows that are still using this account.</p>',
  ];
  if (target && isSafeTarget(target)) {
    const label = d.appName ? `Return to ${escapeHtml(d.appName)}` : 'Return to the application';
    lines.push(`<p><a href="${escapeHtml(target)}">${label}</a></p>`);
  }
  return renderDocument({ title: 'Signed out', main: lines.join('\n') });
}

export interface SignOutPageData {
  /** Form target (POST). */
  action: string;
  /** The sign-out's id, posted back as `tx`. */
  tx: string;
  /** The accounts signed in in this browser. */
  usernames: string[];
  appName?: string;
}

/**
 * S85: asks before a sign-out that no app proved it asked for (no valid `id_token_hint`), as OpenID Connect
 * RP-Initiated Logout 1.0 §2 says: a link on any site must not sign the user out. Posts `tx`.
 */
export function signOutPage(d: SignOutPageData): RenderedPage {
  const who = d.usernames.map((u) => `<li>${escapeHtml(u)}</li>`).join('\n');
  const main = [
    '<h1>Sign out</h1>',
    d.appName
      ? `<p>${escapeHtml(d.appName)} asks to sign you out of this browser:</p>`
      : '<p>Sign out of this browser?</p>',
    `<ul>\n${who}\n</ul>`,
    formFor(d.action, d.tx),
    '<div class="actions">',
    '<button type="submit" class="btn btn-primary">Sign out</button>',
    '</div>',
    '</form>',
    '<p class="muted small">If you did not ask to sign out, close this page: you stay signed in.</p>',
  ].join('\n');
  return renderDocument({ title: 'Sign out', main });
}
