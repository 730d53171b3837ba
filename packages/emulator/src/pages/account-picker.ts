import { escapeHtml } from './escape.js';
import { formFor, type RenderedPage, renderDocument } from './layout.js';

export interface AccountPickerPageData {
  /** Form target (POST). */
  action: string;
  /** Authorize transaction id, posted back as `tx`. */
  tx: string;
  appName: string;
  accounts: { username: string; displayName: string }[];
}

/**
 * The pick-an-account page. Posts `tx` and `account`: the chosen username, or the empty string for
 * "Use another account".
 */
export function accountPickerPage(d: AccountPickerPageData): RenderedPage {
  const items = d.accounts.map(
    (a) =>
      `<li><button type="submit" class="account" name="account" value="${escapeHtml(a.username)}">` +
      `<span class="account-name">${escapeHtml(a.displayName)}</span>` +
      `<span class="account-user">${escapeHtml(a.username)}</span></button></li>`,
  );
  items.push(
    '<li><button type="submit" class="account" name="account" value="">' +
      '<span class="account-name">Use another account</span></button></li>',
  );
  const main = [
    '<h1>Pick an account</h1>',
    `<p class="muted">to continue to ${escapeHtml(d.appName)}</p>`,
    formFor(d.action, d.tx),
    `<ul class="accounts">\n${items.join('\n')}\n</ul>`,
    '</form>',
  ].join('\n');
  return renderDocument({ title: 'Pick an account', main });
}
