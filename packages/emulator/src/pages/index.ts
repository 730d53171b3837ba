/** Server-rendered HTML pages of the emulator: pure functions returning HTML and its CSP header value. */
export { accountPickerPage } from './account-picker.js';
export { adminPage } from './admin.js';
export { consentPage } from './consent.js';
export { allowFormRedirect } from './csp.js';
export { deviceCodeDonePage, deviceCodeEntryPage, deviceConfirmPage } from './device.js';
export { errorPage } from './error.js';
export { escapeHtml } from './escape.js';
export { AUTO_SUBMIT_SCRIPT, formPostPage } from './form-post.js';
export type { RenderedPage } from './layout.js';
export { loginPage } from './login.js';
export { signedOutPage, signOutPage } from './signed-out.js';
