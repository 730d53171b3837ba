import { escapeHtml } from './escape.js';
import { errorAlert, errorAttrs, type RenderedPage, renderDocument } from './layout.js';

export interface DeviceCodeEntryPageData {
  /** Form target (POST). */
  action: string;
  /** Message shown above the field, e.g. for an unknown or expired code. */
  error?: string;
  /** Prefills `user_code`. */
  userCode?: string;
}

const ERROR_ID = 'code-error';

/** The device-code entry page (`/devicelogin`). Posts `user_code` to `action`. */
export function deviceCodeEntryPage(d: DeviceCodeEntryPageData): RenderedPage {
  const main = [
    '<h1>Enter code</h1>',
    '<p>Enter the code shown on your app or device to allow it to sign in.</p>',
    d.error ? errorAlert(ERROR_ID, d.error) : '',
    `<form method="post" action="${escapeHtml(d.action)}">`,
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
