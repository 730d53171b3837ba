// The demo's small web app: a confidential client (the emulator's sample web app) doing auth code + PKCE.
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

const page = (title, body) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><style>
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f6f8;color:#1b1b1b}
main{max-width:720px;margin:3rem auto;padding:2rem;background:#fff;border-radius:12px;box-shadow:0 2px 12px rgba(0,0,0,.08)}
h1{margin-top:0;font-size:1.6rem}a.button{display:inline-block;padding:.6rem 1.1rem;background:#0067b8;color:#fff;
text-decoration:none;border-radius:6px;font-weight:600}a.button:focus-visible{outline:3px solid #1b1b1b;outline-offset:2px}
table{border-collapse:collapse;width:100%;margin:1rem 0}td,th{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e5e5e5;
vertical-align:top;overflow-wrap:anywhere}th{width:35%;color:#505050;font-weight:600}.muted{color:#505050;font-size:.9rem}
</style></head><body><main>${body}</main></body></html>`;

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const rows = (o) =>
  Object.entries(o)
    .map(
      ([k, v]) =>
        `<tr><th scope="row">${esc(k)}</th><td>${esc(typeof v === 'object' ? JSON.stringify(v) : v)}</td></tr>`,
    )
    .join('');

export async function startDemoApp({ emulator, port }) {
  const web = emulator.apps.find((a) => a.type === 'web');
  const tenant = emulator.tenants[0];
  const authority = `${emulator.url}/${tenant.id}`;
  // Loopback redirect URIs match on any port (RFC 8252), so the registered …:3000/auth/callback serves any PORT.
  let origin = `http://127.0.0.1:${port}`;
  let redirectUri = `${origin}/auth/callback`;
  const pending = new Map(); // state → { verifier, nonce }
  const sessions = new Map(); // session id → profile (tokens stay here, server-side)

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const sid = /(?:^|; )demo_sid=([A-Za-z0-9_-]+)/.exec(req.headers.cookie ?? '')?.[1];
    const session = sid ? sessions.get(sid) : undefined;
    const html = (status, body, headers = {}) => {
      res.writeHead(status, {
        'Content-Type': 'text/html; charset=utf-8',
        'Referrer-Policy': 'no-referrer',
        ...headers,
      });
      res.end(body);
    };
    try {
      if (url.pathname === '/') {
        if (!session) {
          return html(
            200,
            page(
              'tokenloop demo',
              `<h1>tokenloop demo</h1><p>A web app that signs you in with the
            local Entra-compatible emulator, then reads your profile from Graph <code>/me</code>.</p>
            <p><a class="button" href="/login">Sign in with Microsoft</a></p>
            <p class="muted">Authority: ${esc(authority)}</p>`,
            ),
          );
        }
        return html(
          200,
          page(
            'Signed in',
            `<h1>Hello, ${esc(session.me.displayName)}</h1>
          <h2>Graph /me</h2><table>${rows(session.me)}</table>
          <h2>ID token claims</h2><table>${rows(session.claims)}</table>
          <p class="muted">Tokens stay on the server; only their claims are shown.</p>
          <p><a class="button" href="/logout">Sign out</a></p>`,
          ),
        );
      }
      if (url.pathname === '/login') {
        const state = randomBytes(16).toString('base64url');
        const verifier = randomBytes(32).toString('base64url');
        const nonce = randomBytes(16).toString('base64url');
        pending.set(state, { verifier, nonce });
        const authorize = new URL(`${authority}/oauth2/v2.0/authorize`);
        authorize.search = new URLSearchParams({
          client_id: web.clientId,
          response_type: 'code',
          redirect_uri: redirectUri,
          scope: 'openid profile offline_access https://graph.microsoft.com/User.Read',
          state,
          nonce,
          code_challenge: createHash('sha256').update(verifier).digest('base64url'),
          code_challenge_method: 'S256',
        }).toString();
        res.writeHead(302, { Location: authorize.href });
        return res.end();
      }
      if (url.pathname === '/auth/callback') {
        const state = url.searchParams.get('state') ?? '';
        const tx = pending.get(state);
        pending.delete(state);
        if (!tx)
          return html(
            400,
            page(
              'Sign-in failed',
              '<h1>Sign-in failed</h1><p>Unknown or replayed state.</p><p><a href="/">Start again</a></p>',
            ),
          );
        if (url.searchParams.get('error')) {
          return html(
            400,
            page(
              'Sign-in failed',
              `<h1>Sign-in failed</h1><p>${esc(url.searchParams.get('error_description') ?? '')}</p><p><a href="/">Start again</a></p>`,
            ),
          );
        }
        const tokenRes = await fetch(`${authority}/oauth2/v2.0/token`, {
          method: 'POST',
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            client_id: web.clientId,
            client_secret: web.secret,
            code: url.searchParams.get('code') ?? '',
            redirect_uri: redirectUri,
            code_verifier: tx.verifier,
          }),
        });
        const tokens = await tokenRes.json();
        if (!tokenRes.ok) throw new Error(String(tokens.error_description ?? tokens.error).split('\r\n')[0]);
        const claims = JSON.parse(Buffer.from(tokens.id_token.split('.')[1], 'base64url').toString());
        if (claims.nonce !== tx.nonce) throw new Error('the ID token nonce does not match');
        const meRes = await fetch(`${emulator.url}/v1.0/me`, {
          headers: { Authorization: `Bearer ${tokens.access_token}` },
        });
        const me = await meRes.json();
        const id = randomBytes(24).toString('base64url');
        sessions.set(id, { claims, me, tokens });
        res.writeHead(302, { Location: '/', 'Set-Cookie': `demo_sid=${id}; Path=/; HttpOnly; SameSite=Lax` });
        return res.end();
      }
      if (url.pathname === '/logout') {
        if (sid) sessions.delete(sid);
        const end = new URL(`${authority}/oauth2/v2.0/logout`);
        end.search = new URLSearchParams({
          client_id: web.clientId,
          post_logout_redirect_uri: `${origin}/`,
        }).toString();
        res.writeHead(302, { Location: end.href, 'Set-Cookie': 'demo_sid=; Path=/; HttpOnly; Max-Age=0' });
        return res.end();
      }
      html(404, page('Not found', '<h1>Not found</h1><p><a href="/">Home</a></p>'));
    } catch (err) {
      html(
        502,
        page('Error', `<h1>Something went wrong</h1><p>${esc(err.message)}</p><p><a href="/">Home</a></p>`),
      );
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', (err) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`port ${port} is in use; set PORT to another`) : err),
    );
    server.listen(port, '127.0.0.1', resolve);
  });
  origin = `http://127.0.0.1:${server.address().port}`;
  redirectUri = `${origin}/auth/callback`;
  return { url: origin, close: () => server.close() };
}
