// The demo's web app, built on @tokenloop/web (Express): "Sign in with Microsoft" → profile from Graph /me →
// a page that calls a protected sample API (which itself calls Graph on-behalf-of the user) → sign out (a POST
// from the app's own page: a link or a GET only shows a confirmation page).
// Tokens stay on the server; pages show claims and results only.
import { createServer } from 'node:http';
import express from 'express';
import { createWebAuth } from '@tokenloop/web';
import { requireBearer, requireSignIn, signIn, signInErrors } from '@tokenloop/web/express';
import { createTokenClient } from 'tokenloop';

// The demo's icon, inline (no request for it can fail), and served at /favicon.ico for browsers that ask there.
const ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0067b8"/><path d="M4 8h8M8 4v8" stroke="#fff" stroke-width="2"/></svg>';

const page = (title, body) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>
<link rel="icon" href="data:image/svg+xml,${encodeURIComponent(ICON)}"><style>
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f6f8;color:#1b1b1b}
header{background:#0067b8;color:#fff;padding:.75rem 1.5rem;display:flex;gap:1.25rem;align-items:center;flex-wrap:wrap}
header a{color:#fff;font-weight:600}header .brand{font-weight:700;margin-right:auto}header form{margin:0}
header button{background:none;padding:0;color:#fff;font-weight:600;text-decoration:underline}
main{max-width:760px;margin:2rem auto;padding:2rem;background:#fff;border-radius:12px;box-shadow:0 2px 12px rgba(0,0,0,.08)}
@media (max-width:640px){main{margin:0;border-radius:0;padding:1.25rem}}
h1{margin-top:0;font-size:1.6rem}a.button,button{display:inline-block;padding:.6rem 1.1rem;background:#0067b8;color:#fff;border:0;
text-decoration:none;border-radius:6px;font:inherit;font-weight:600;cursor:pointer}a.button:focus-visible,button:focus-visible{outline:3px solid #1b1b1b;outline-offset:2px}
table{border-collapse:collapse;width:100%;margin:1rem 0}td,th{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e5e5e5;
vertical-align:top;overflow-wrap:anywhere}th{width:35%;color:#505050;font-weight:600}.muted{color:#505050;font-size:.9rem}
</style></head><body>${body}</body></html>`;

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const rows = (o) =>
  Object.entries(o)
    .map(
      ([k, v]) =>
        `<tr><th scope="row">${esc(k)}</th><td>${esc(typeof v === 'object' ? JSON.stringify(v) : v)}</td></tr>`,
    )
    .join('');
const nav = (session) =>
  `<header><span class="brand">tokenloop demo</span>${session ? `<a href="/">Profile</a><a href="/api-demo">Call the API</a><form method="post" action="/auth/logout"><button>Sign out</button></form>` : ''}</header>`;

/**
 * Starts the demo app. `settings`: authority, web app (clientId, secret), API (clientId, secret, appIdUri),
 * graphBase (the emulator serves Graph itself; Microsoft Graph otherwise), testUsers (the emulator's, shown on
 * the home page: `{ username, password }`).
 */
export async function startDemoApp({ settings, port }) {
  const app = express();
  app.disable('x-powered-by');
  const server = createServer(app);
  await new Promise((resolve, reject) => {
    server.once('error', (err) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(
              `port ${port} on 127.0.0.1 is in use (another program, or another demo): choose another with PORT=${port + 1} npm run demo (PORT=0: any free port)`,
            )
          : err,
      ),
    );
    server.listen(port, '127.0.0.1', resolve);
  });
  const origin = `http://127.0.0.1:${server.address().port}`;
  const auth = createWebAuth({
    authority: settings.authority,
    clientId: settings.web.clientId,
    clientSecret: settings.web.secret,
    baseUrl: origin,
    scopes: ['User.Read'],
  });
  const apiScope = `${settings.api.appIdUri}/access_as_user`;
  const api = createTokenClient({
    authority: settings.authority,
    clientId: settings.api.clientId,
    clientSecret: settings.api.secret,
  });

  app.use(express.urlencoded({ extended: false, limit: '16kb' }));
  app.get('/favicon.ico', (_req, res) => res.type('image/svg+xml').send(ICON));
  // The person cancelled at the provider (consent or sign-in page): the demo's own page, with a way back.
  app.get(auth.options.callbackPath, (req, res, next) => {
    const error = req.query.error;
    if (error !== 'access_denied' && error !== 'consent_required' && error !== 'authorization_declined')
      return next();
    res.send(
      page(
        'Sign-in cancelled',
        `${nav()}<main><h1>Sign-in cancelled</h1><p>The sign-in was cancelled at the ${esc(
          settings.testUsers ? 'emulator' : 'identity provider',
        )} — nothing was shared with this app.</p><p><a class="button" href="/auth/login">Sign in with Microsoft</a></p>
        <p><a href="/">Back to the home page</a></p></main>`,
      ),
    );
  });
  app.use(signIn(auth));

  app.get('/', async (req, res, next) => {
    const session = req.auth?.session;
    if (!session) {
      return res.send(
        page(
          'tokenloop demo',
          `${nav()}<main><h1>tokenloop demo</h1><p>A web app that signs you in with Microsoft Entra ID — here the
        local, Entra-compatible emulator — reads your profile from Microsoft Graph <code>/me</code>, and calls a protected API that
        calls Graph on your behalf.</p><p><a class="button" href="/auth/login">Sign in with Microsoft</a></p>
        ${
          settings.testUsers?.length
            ? `<h2>Test users of the emulator</h2><p class="muted">Local test accounts only: sign in with one of these.</p>
        <table><tr><th scope="col">Username</th><th scope="col">Password</th></tr>${settings.testUsers
          .map((u) => `<tr><td>${esc(u.username)}</td><td><code>${esc(u.password)}</code></td></tr>`)
          .join('')}</table>`
            : ''
        }
        <p class="muted">Authority: ${esc(settings.authority)}</p></main>`,
        ),
      );
    }
    try {
      const { accessToken } = await req.auth.getAccessToken(['User.Read']);
      const me = await (
        await fetch(`${settings.graphBase}/v1.0/me`, { headers: { authorization: `Bearer ${accessToken}` } })
      ).json();
      res.send(
        page(
          'Signed in',
          `${nav(session)}<main><h1>Hello, ${esc(me.displayName ?? session.name)}</h1>
        <h2>Graph /me</h2><table>${rows(me)}</table>
        <h2>ID token claims</h2><table>${rows(session.claims)}</table>
        <p class="muted">Tokens stay on the server; only their claims are shown.</p>
        <p><a class="button" href="/api-demo">Call the protected API</a></p></main>`,
        ),
      );
    } catch (err) {
      next(err);
    }
  });

  // The web app calls the sample API with a token for it (consented incrementally the first time).
  app.get('/api-demo', requireSignIn(auth), async (req, res, next) => {
    try {
      const { accessToken } = await req.auth.getAccessToken([apiScope]);
      const response = await fetch(`${origin}/api/profile-summary`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      const body = await response.json();
      res.send(
        page(
          'API result',
          `${nav(req.auth.session)}<main><h1>The API answered</h1><p>HTTP ${response.status} from
        <code>/api/profile-summary</code>, which checked your token for <code>${esc(apiScope)}</code> and called Graph on your behalf.</p>
        <table>${rows(body)}</table><p><a class="button" href="/">Back to the profile</a></p></main>`,
        ),
      );
    } catch (err) {
      next(err);
    }
  });

  // The sample API: bearer tokens for the API only, with the access_as_user scope; Graph via on-behalf-of.
  app.get(
    '/api/profile-summary',
    requireBearer(
      { authority: settings.authority, audience: [settings.api.clientId, settings.api.appIdUri] },
      { scopes: ['access_as_user'] },
    ),
    async (req, res, next) => {
      try {
        const incoming = req.headers.authorization.replace(/^bearer /i, '');
        const graph = await api.acquireTokenOnBehalfOf({
          assertion: incoming,
          scopes: ['https://graph.microsoft.com/User.Read'],
        });
        const me = await (
          await fetch(`${settings.graphBase}/v1.0/me`, {
            headers: { authorization: `Bearer ${graph.accessToken}` },
          })
        ).json();
        res.json({
          displayName: me.displayName,
          jobTitle: me.jobTitle ?? null,
          calledWithScopes: req.tokenClaims.scp,
          graphTokenFromCache: graph.fromCache,
        });
      } catch (err) {
        next(err);
      }
    },
  );

  app.use(signInErrors());
  app.use((err, _req, res, _next) => {
    res
      .status(502)
      .send(
        page(
          'Error',
          `${nav()}<main><h1>Something went wrong</h1><p>${esc(err.message)}</p><p><a href="/">Home</a></p></main>`,
        ),
      );
  });

  return { url: origin, close: () => server.close() };
}
