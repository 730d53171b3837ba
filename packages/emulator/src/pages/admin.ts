import { escapeHtml } from './escape.js';
import { type RenderedPage, renderDocument } from './layout.js';

export interface AdminPageData {
  /** The emulator's base URL. */
  url: string;
  tenants: { id: string; domain: string; name: string }[];
  apps: { clientId: string; name: string; type: string; tenantId: string; redirectUris: string[] }[];
  users: { username: string; displayName: string; tenantId: string; scenarios: string[] }[];
  sessions: { id: string; username: string; createdAt: string }[];
  /** Issued tokens; `preview` must already be redacted by the caller. */
  tokens: { kind: string; clientId: string; subject: string; expiresAt: string; preview: string }[];
  /** Token-endpoint request counts: grant type → client id → count. */
  stats: Record<string, Record<string, number>>;
}

/** A cell's content: plain text (escaped here) or a list of values. */
type Cell = string | number | string[] | { code: string };

function cell(value: Cell): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '<span class="empty">none</span>';
    return `<ul class="plain">${value.map((v) => `<li>${escapeHtml(v)}</li>`).join('')}</ul>`;
  }
  if (typeof value === 'object') return `<code>${escapeHtml(value.code)}</code>`;
  return escapeHtml(value);
}

/** A read-only table with a caption and column headers, scrollable on narrow screens. */
function table(id: string, caption: string, columns: string[], rows: Cell[][]): string {
  const head = columns.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('');
  const body =
    rows.length === 0
      ? `<tr><td colspan="${columns.length}" class="empty">None</td></tr>`
      : rows.map((r) => `<tr>${r.map((v) => `<td>${cell(v)}</td>`).join('')}</tr>`).join('\n');
  return (
    `<div class="table-wrap" role="region" aria-labelledby="${id}" tabindex="0">\n` +
    `<table>\n<caption id="${id}">${escapeHtml(caption)} (${rows.length})</caption>\n` +
    `<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>\n</div>`
  );
}

function statRows(stats: AdminPageData['stats']): Cell[][] {
  const rows: Cell[][] = [];
  for (const [grant, byClient] of Object.entries(stats)) {
    for (const [clientId, count] of Object.entries(byClient)) rows.push([grant, clientId, count]);
  }
  return rows;
}

/** The read-only dashboard at `/_emulator`: directory, sessions, issued tokens and request stats. */
export function adminPage(d: AdminPageData): RenderedPage {
  const main = [
    '<h1>tokenloop emulator</h1>',
    `<p>Running at <code>${escapeHtml(d.url)}</code>. This page is read-only; the REST API under ` +
      '<code>/_emulator/api/…</code> manages users, apps, sessions and stats.</p>',
    table(
      'tenants',
      'Tenants',
      ['Tenant ID', 'Domain', 'Name'],
      d.tenants.map((t) => [{ code: t.id }, t.domain, t.name]),
    ),
    table(
      'apps',
      'Apps',
      ['Name', 'Client ID', 'Type', 'Tenant ID', 'Redirect URIs'],
      d.apps.map((a) => [a.name, { code: a.clientId }, a.type, { code: a.tenantId }, a.redirectUris]),
    ),
    table(
      'users',
      'Users',
      ['Username', 'Display name', 'Tenant ID', 'Scenarios'],
      d.users.map((u) => [u.username, u.displayName, { code: u.tenantId }, u.scenarios]),
    ),
    table(
      'sessions',
      'Sessions',
      ['Session ID', 'Username', 'Created'],
      d.sessions.map((s) => [{ code: s.id }, s.username, s.createdAt]),
    ),
    table(
      'tokens',
      'Issued tokens',
      ['Kind', 'Client ID', 'Subject', 'Expires', 'Preview'],
      d.tokens.map((t) => [t.kind, { code: t.clientId }, t.subject, t.expiresAt, { code: t.preview }]),
    ),
    table('stats', 'Token endpoint requests', ['Grant type', 'Client ID', 'Requests'], statRows(d.stats)),
  ].join('\n');
  return renderDocument({ title: 'Emulator dashboard', main, variant: 'wide' });
}
