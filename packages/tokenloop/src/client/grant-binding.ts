/**
 * The grants, loaded by the client only when one runs — the cached-token path never imports oauth4webapi,
 * jose or node:http.
 */
export { beginAuthorization, completeAuthorization } from '../flows/authorization-code.js';
export { appToken } from '../flows/client-credentials.js';
export { loginWithDeviceCode } from '../flows/device-code.js';
export { endSessionUrl } from '../flows/end-session.js';
export { loginInteractive } from '../flows/loopback-login.js';
export { onBehalfOf } from '../flows/on-behalf-of.js';
export { refresh } from '../flows/refresh.js';
export { userInfo } from '../flows/userinfo.js';
