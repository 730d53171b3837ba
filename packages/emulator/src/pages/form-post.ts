import { sourceFor } from './csp.js';
import { escapeHtml } from './escape.js';
import { hiddenInput, type RenderedPage, renderDocument } from './layout.js';

export interface FormPostPageData {
  /** The client's redirect URI. */
  action: string;
  /** Authorization response parameters (code, state, id_token, error, …). */
  fields: Record<string, string>;
}

/**
 * Submits the form with the prototype's `submit`, so a field named `submit` cannot shadow it. Exported so
 * tests can check the CSP hash; the page's CSP allows exactly this text.
 */
export const AUTO_SUBMIT_SCRIPT = 'HTMLFormElement.prototype.submit.call(document.forms[0]);';

/**
 * `response_mode=form_post`: a page that POSTs `fields` to `action` on load. Its CSP allows the one inline
 * script by hash and limits `form-action` to the action's origin (a custom scheme such as `myapp:` for a
 * native app's redirect URI). Without JavaScript a "Continue" button submits the form.
 */
export function formPostPage(d: FormPostPageData): RenderedPage {
  const source = sourceFor(d.action);
  const main = [
    '<h1>Continuing sign-in</h1>',
    `<p class="muted">Returning to ${escapeHtml(source ?? d.action)}…</p>`,
    `<form method="post" action="${escapeHtml(d.action)}">`,
    ...Object.entries(d.fields).map(([name, value]) => hiddenInput(name, value)),
    '<noscript>',
    '<p>JavaScript is turned off. Select Continue to finish signing in.</p>',
    '<div class="actions"><button type="submit" class="btn btn-primary">Continue</button></div>',
    '</noscript>',
    '</form>',
  ].join('\n');
  return renderDocument({
    title: 'Continuing sign-in',
    main,
    scripts: [AUTO_SUBMIT_SCRIPT],
    // An unusable target still gets a valid (closed) policy rather than falling back to 'self'.
    formAction: [source ?? "'none'"],
  });
}
