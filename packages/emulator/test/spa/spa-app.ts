/**
 * A small single-page app as Microsoft's samples write one, served by the test on a loopback origin of its own
 * (`http://localhost:<port>`, another site than the emulator's `https://127.0.0.1:<port>`): Microsoft's
 * @azure/msal-browser, its built bundle served from node_modules, configured only with the app's client id,
 * redirect URIs, `authority` and `knownAuthorities`. `/` is the app (it handles a returning redirect and then
 * waits for the test to call MSAL); `/redirect` is msal-browser v5's redirect bridge, the page MSAL's popups,
 * hidden iframes and redirects come back to (never served with COOP, as MSAL's docs require).
 */
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';

export interface SpaConfig {
  clientId: string;
  /** `https://127.0.0.1:<port>/<tenant>` */
  authority: string;
}

export interface SpaServer {
  /** `http://localhost:<port>` */
  origin: string;
  /** The app page (also where MSAL returns after sign-out). */
  appUrl: string;
  /** Where MSAL's answers come back: the redirect bridge. */
  redirectUri: string;
  close(): Promise<void>;
}

const MSAL_LIB = dirname(createRequire(import.meta.url).resolve('@azure/msal-browser'));

/** The app page: MSAL configured as the samples do, and a few helpers the test calls through `page.evaluate`. */
function appPage(config: SpaConfig & { redirectUri: string; postLogoutRedirectUri: string }): string {
  const msalConfig = {
    auth: {
      clientId: config.clientId,
      authority: config.authority,
      // The one change for the emulator (besides the authority): MSAL trusts only the hosts it knows.
      knownAuthorities: [new URL(config.authority).host],
      redirectUri: config.redirectUri,
      postLogoutRedirectUri: config.postLogoutRedirectUri,
    },
  };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SPA</title>
<script src="/msal-browser.js"></script>
</head><body><h1>Single-page app</h1>
<script>
const pca = new msal.PublicClientApplication(${JSON.stringify(msalConfig)});
/** What the test may see of a result: claims and flags, never a token. */
function claims(jwt) {
  if (!jwt) return undefined;
  const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(atob(part));
}
function summary(r) {
  if (!r) return null;
  return {
    username: r.account && r.account.username,
    homeAccountId: r.account && r.account.homeAccountId,
    fromCache: r.fromCache,
    scopes: r.scopes,
    idTokenClaims: r.idTokenClaims,
    accessTokenClaims: claims(r.accessToken),
  };
}
function failure(e) {
  return {
    failed: true,
    name: e && e.name,
    errorCode: e && e.errorCode,
    subError: e && e.subError,
    interactionRequired: e instanceof msal.InteractionRequiredAuthError,
    message: String((e && e.errorMessage) || (e && e.message) || e).slice(0, 300),
  };
}
window.spa = {
  pca,
  ready: pca.initialize().then(() => pca.handleRedirectPromise()).then(summary, failure),
  /** Calls an MSAL method with the request; account: true puts the signed-in account into it. */
  async call(method, request, withAccount) {
    await window.spa.ready;
    try {
      const req = { ...request };
      if (withAccount) req.account = pca.getAllAccounts()[0];
      const r = await pca[method](req);
      return method.startsWith('logout') ? { done: true } : summary(r);
    } catch (e) {
      return failure(e);
    }
  },
  accounts() {
    return pca.getAllAccounts().map((a) => a.username);
  },
  /** As Microsoft's SPA samples call Graph: a token from acquireTokenSilent, sent from the page. */
  async callApi(url, scopes) {
    await window.spa.ready;
    try {
      const r = await pca.acquireTokenSilent({ scopes, account: pca.getAllAccounts()[0] });
      const res = await fetch(url, { headers: { Authorization: 'Bearer ' + r.accessToken } });
      return { status: res.status, body: await res.json() };
    } catch (e) {
      return failure(e);
    }
  },
};
</script></body></html>`;
}

const BRIDGE_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Signing in</title>
<script src="/msal-redirect-bridge.js"></script>
</head><body>
<script>msalRedirectBridge.broadcastResponseToMainFrame().catch((e) => console.error('bridge: ' + e));</script>
</body></html>`;

export async function startSpaServer(config: SpaConfig): Promise<SpaServer> {
  const [browserJs, bridgeJs] = await Promise.all([
    readFile(join(MSAL_LIB, 'msal-browser.min.js')),
    readFile(join(MSAL_LIB, 'redirect-bridge', 'msal-redirect-bridge.min.js')),
  ]);
  let origin = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const send = (type: string, body: string | Buffer) => {
      res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(body);
    };
    if (url.pathname === '/msal-browser.js') return send('text/javascript', browserJs);
    if (url.pathname === '/msal-redirect-bridge.js') return send('text/javascript', bridgeJs);
    if (url.pathname === '/redirect') return send('text/html; charset=utf-8', BRIDGE_PAGE);
    if (url.pathname === '/') {
      return send(
        'text/html; charset=utf-8',
        appPage({ ...config, redirectUri: `${origin}/redirect`, postLogoutRedirectUri: `${origin}/` }),
      );
    }
    res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    appUrl: `${origin}/`,
    redirectUri: `${origin}/redirect`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
