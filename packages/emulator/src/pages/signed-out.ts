import { isSafeTarget } from './csp.js';
import { escapeHtml } from './escape.js';
import { type RenderedPage, renderDocument } from './layout.js';

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
