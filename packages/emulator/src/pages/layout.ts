import { buildCsp, sha256Source } from './csp.js';
import { escapeHtml } from './escape.js';
import { CSS, STYLE_HASH } from './styles.js';

/** A rendered page: its HTML and the value of its `Content-Security-Policy` header. */
export interface RenderedPage {
  html: string;
  csp: string;
}

export interface DocumentOptions {
  /** Document title (plain text; escaped here). */
  title: string;
  /** Inner HTML of `<main>`; must already be escaped. */
  main: string;
  /** `card` (default): the narrow, centred sign-in card. `wide`: full-width content such as tables. */
  variant?: 'card' | 'wide';
  /** Inline scripts, each placed in its own `<script>` element at the end of `<body>` and allowed by hash. */
  scripts?: string[];
  /** Sources for the CSP `form-action` directive; `'self'` when omitted. */
  formAction?: string[];
}

const BANNER =
  '<header class="banner">' +
  '<span class="brand">tokenloop emulator</span>' +
  '<span class="notice">Local test identity platform for development. Not Microsoft; never enter real credentials.</span>' +
  '</header>';

/** Wraps page content in the shared document shell (head, stylesheet, banner, `<main>`) and builds its CSP. */
export function renderDocument(o: DocumentOptions): RenderedPage {
  const scripts = o.scripts ?? [];
  const html =
    '<!doctype html>\n' +
    '<html lang="en">\n<head>\n' +
    '<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    '<meta name="robots" content="noindex, nofollow">\n' +
    `<title>${escapeHtml(o.title)} · tokenloop emulator</title>\n` +
    `<style>${CSS}</style>\n` +
    '</head>\n<body>\n' +
    BANNER +
    `\n<main class="${o.variant === 'wide' ? 'wide' : 'card'}">\n${o.main}\n</main>\n` +
    scripts.map((s) => `<script>${s}</script>\n`).join('') +
    '</body>\n</html>\n';
  const csp = buildCsp({
    styleHash: STYLE_HASH,
    scriptHashes: scripts.map(sha256Source),
    ...(o.formAction ? { formAction: o.formAction } : {}),
  });
  return { html, csp };
}

/** A hidden form field. */
export function hiddenInput(name: string, value: string): string {
  return `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
}

/** The opening of a page's form: a POST to `action` carrying the page's transaction id as `tx`. */
export function formFor(action: string, tx: string): string {
  return `<form method="post" action="${escapeHtml(action)}">\n${hiddenInput('tx', tx)}`;
}

/**
 * A question's form: its two buttons, Cancel and the one that goes on, post `tx` and `decision` (`cancel` or
 * `go.value`) to `action`.
 */
export function decisionForm(action: string, tx: string, go: { value: string; label: string }): string {
  return [
    formFor(action, tx),
    '<div class="actions">',
    '<button type="submit" name="decision" value="cancel" class="btn btn-secondary">Cancel</button>',
    `<button type="submit" name="decision" value="${escapeHtml(go.value)}" class="btn btn-primary">${escapeHtml(go.label)}</button>`,
    '</div>',
    '</form>',
  ].join('\n');
}

/** Whom a question is about: the signed-in account, on a line of its own above the heading. */
export function accountLine(username: string): string {
  return `<p class="account-line">${escapeHtml(username)}</p>`;
}

/** The app a question names, with its publisher under it (or that it has none). */
export function appWithPublisher(appName: string, publisher: string | undefined): string {
  const by = publisher ? escapeHtml(publisher) : 'Publisher not provided';
  return `<p><strong>${escapeHtml(appName)}</strong><br><span class="muted small">${by}</span></p>`;
}

/** An error message announced to assistive technology; pair its `id` with the inputs' `aria-describedby`. */
export function errorAlert(id: string, message: string): string {
  return `<p id="${escapeHtml(id)}" class="error" role="alert">${escapeHtml(message)}</p>`;
}

/** Attributes that tie an input to an error message (empty when there is no error). */
export function errorAttrs(errorId: string, error: string | undefined): string {
  return error ? ` aria-invalid="true" aria-describedby="${escapeHtml(errorId)}"` : '';
}
