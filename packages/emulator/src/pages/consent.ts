import { escapeHtml } from './escape.js';
import { accountLine, appWithPublisher, decisionForm, type RenderedPage, renderDocument } from './layout.js';

export interface ConsentPageData {
  /** Form target (POST). */
  action: string;
  /** Authorize transaction id, posted back as `tx`. */
  tx: string;
  appName: string;
  /** Publisher shown under the app name (e.g. the app's home tenant). */
  publisher?: string;
  /** The signed-in user granting consent. */
  username: string;
  permissions: { scope: string; description: string }[];
}

function permissionList(permissions: ConsentPageData['permissions']): string {
  if (permissions.length === 0) return '<p class="empty">No additional permissions.</p>';
  const items = permissions.map(
    (p) =>
      `<li><span class="perm-desc">${escapeHtml(p.description)}</span>` +
      `<code class="perm-scope">${escapeHtml(p.scope)}</code></li>`,
  );
  return `<ul class="perms">\n${items.join('\n')}\n</ul>`;
}

/**
 * The permissions-requested page. Posts `tx` and `decision` (`accept` or `cancel`, from the button pressed)
 * to `action`.
 */
export function consentPage(d: ConsentPageData): RenderedPage {
  const main = [
    accountLine(d.username),
    '<h1>Permissions requested</h1>',
    appWithPublisher(d.appName, d.publisher),
    '<p>This app would like to:</p>',
    permissionList(d.permissions),
    `<p class="muted small">Accepting lets ${escapeHtml(d.appName)} use this account as described above.` +
      ' This is a local emulator: no real data is shared.</p>',
    decisionForm(d.action, d.tx, { value: 'accept', label: 'Accept' }),
  ].join('\n');
  return renderDocument({ title: 'Permissions requested', main });
}
