import { escapeHtml } from './escape.js';
import { errorAlert, errorAttrs, formFor, type RenderedPage, renderDocument } from './layout.js';

export interface LoginPageData {
  /** Form target (POST). */
  action: string;
  /** Authorize transaction id, posted back as `tx`. */
  tx: string;
  appName: string;
  tenantName: string;
  /** Prefills `username` (from `login_hint`). */
  loginHint?: string;
  /** Message shown above the fields, e.g. after a wrong password. */
  error?: string;
}

const ERROR_ID = 'login-error';

/**
 * The sign-in form. Posts `tx`, `username` and `password` to `action`. The username field gets focus when
 * empty, the password field when the username is prefilled.
 */
export function loginPage(d: LoginPageData): RenderedPage {
  const hint = d.loginHint ?? '';
  const described = errorAttrs(ERROR_ID, d.error);
  const main = [
    `<p class="org">${escapeHtml(d.tenantName)}</p>`,
    '<h1>Sign in</h1>',
    `<p class="muted">to continue to ${escapeHtml(d.appName)}</p>`,
    d.error ? errorAlert(ERROR_ID, d.error) : '',
    formFor(d.action, d.tx),
    '<div class="field">',
    '<label for="username">Username</label>',
    `<input type="text" id="username" name="username" value="${escapeHtml(hint)}" autocomplete="username"` +
      ` autocapitalize="none" spellcheck="false" required${hint ? '' : ' autofocus'}${described}>`,
    '</div>',
    '<div class="field">',
    '<label for="password">Password</label>',
    `<input type="password" id="password" name="password" autocomplete="current-password"` +
      `${hint ? ' autofocus' : ''}${described}>`,
    '</div>',
    '<div class="actions">',
    '<button type="submit" class="btn btn-primary">Sign in</button>',
    '</div>',
    '</form>',
  ]
    .filter(Boolean)
    .join('\n');
  return renderDocument({ title: 'Sign in', main });
}
