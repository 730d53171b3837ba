import { escapeHtml } from './escape.js';
import {
  accountLine,
  appWithPublisher,
  decisionForm,
  errorAlert,
  errorAttrs,
  formFor,
  type RenderedPage,
  renderDocument,
} from './layout.js';

export interface DeviceCodeEntryPageData {
  /** Form target (POST). */
  action: string;
  /** The page's id, posted back as `tx` (its cookie binds it to this browser). */
  tx: string;
  /** Message shown above the field, e.g. for an unknown or expired code. */
  error?: string;
  /** Prefills `user_code`. */
  userCode?: string;
}

const ERROR_ID = 'code-error';

/** The device-code entry page (`/devicelogin`). Posts `tx` and `user_code` to `action`. */
export function deviceCodeEntryPage(d: DeviceCodeEntryPageData): RenderedPage {
  const main = [
    '<h1>Enter code</h1>',
    '<p>Enter the code shown on your app or device to allow it to sign in.</p>',
    d.error ? errorAlert(ERROR_ID, d.error) : '',
    formFor(d.action, d.tx),
    '<div class="field">',
    '<label for="user_code">Code</label>',
    `<input type="text" id="user_code" name="user_code" class="code-input" value="${escapeHtml(d.userCode ?? '')}"` +
      ` autocapitalize="characters" autocomplete="off" autocorrect="off" spellcheck="false" required autofocus` +
      `${errorAttrs(ERROR_ID, d.error)}>`,
    '</div>',
    '<div class="actions">',
    '<button type="submit" class="btn btn-primary">Next</button>',
    '</div>',
    '</form>',
  ]
    .filter(Boolean)
    .join('\n');
  return renderDocument({ title: 'Enter code', main });
}

export interface DeviceConfirmPageData {
  /** Form target (POST). */
  action: string;
  /** Transaction id, posted back as `tx`. */
  tx: string;
  appName: string;
  /** The app's home tenant, shown under its name. */
  publisher?: string;
  username: string;
  userCode: string;
}

/**
 * S86: the last question before a device code is approved, naming the app: "Are you trying to sign in to
 * <app>?". Someone who was sent a code (or a page that entered one) sees whose app they would let in, as whom.
 * Posts `tx` and `decision` (`continue` or `cancel`).
 */
export function deviceConfirmPage(d: DeviceConfirmPageData): RenderedPage {
  const app = escapeHtml(d.appName);
  const main = [
    accountLine(d.username),
    `<h1>Are you trying to sign in to ${app}?</h1>`,
    appWithPublisher(d.appName, d.publisher),
    `<p>The code <code>${escapeHtml(d.userCode)}</code> lets ${app} on another device sign in as ${escapeHtml(d.username)}.</p>`,
    '<p>Only continue if you started this sign-in yourself, on a device you use, with an app you trust.' +
      ' If someone sent you the code or a link to this page, select Cancel.</p>',
    decisionForm(d.action, d.tx, { value: 'continue', label: 'Continue' }),
  ].join('\n');
  return renderDocument({ title: 'Confirm sign-in', main });
}

export interface DeviceCodeDonePageData {
  appName: string;
  /** `false` when the user declined (or consent was refused). */
  approved: boolean;
}

/** Shown in the browser once a device-code sign-in has been approved or declined. */
export function deviceCodeDonePage(d: DeviceCodeDonePageData): RenderedPage {
  const app = escapeHtml(d.appName);
  const message = d.approved
    ? `You have signed in to ${app} on your device. You may now close this window.`
    : `You declined to sign in to ${app} on your device. You may now close this window.`;
  const main = [`<h1>${d.approved ? 'Signed in' : 'Sign-in declined'}</h1>`, `<p>${message}</p>`].join('\n');
  return renderDocument({ title: d.approved ? 'Signed in' : 'Sign-in declined', main });
}
