// A test web app on 127.0.0.1 built with @tokenloop/web's Express adapter, plus a cookie-keeping fetch
// ("a browser") that follows redirects by hand.
import type { AddressInfo } from 'node:net';
import express from 'express';
import { type WebAuth, type WebAuthOptions, createWebAuth } from '@tokenloop/web';
import { requireSignIn, signIn, signInErrors } from '@tokenloop/web/express';

export interface TestApp {
  url: string;
  auth: WebAuth;
  close(): Promise<void>;
}

/** Starts an app; `baseUrl` defaults to its own origin (a second instance behind "the same" origin passes it). */
export async function startWebApp(
  options: Omit<WebAuthOptions, 'baseUrl'> & { baseUrl?: string; graphBase: string; apiScope: string },
): Promise<TestApp> {
  const app = express();
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { graphBase, apiScope, ...rest } = options;
  const auth = createWebAuth({ ...rest, baseUrl: options.baseUrl ?? origin });
  app.use(express.urlencoded({ extended: false }));
  app.use(signIn(auth));
  app.get('/', (req, res) => {
    res.type('text').send(req.auth?.session ? `signed in as ${req.auth.session.username}` : 'anonymous');
  });
  app.get('/me', requireSignIn(auth), async (req, res, next) => {
    try {
      const { accessToken } = await req.auth!.getAccessToken(['User.Read']);
      const me = (await (
        await fetch(`${graphBase}/v1.0/me`, { headers: { authorization: `Bearer ${accessToken}` } })
      ).json()) as Record<string, unknown>;
      res.json({ displayName: me.displayName });
    } catch (err) {
      next(err);
    }
  });
  app.get('/api-call', requireSignIn(auth), async (req, res, next) => {
    try {
      const token = await req.auth!.getAccessToken([apiScope]);
      res.json({ scopes: token.scopes });
    } catch (err) {
      next(err);
    }
  });
  app.use(signInErrors());
  return { url: origin, auth, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A minimal browser: a cookie jar (by name; all hosts are 127.0.0.1) and manual redirects. */
export class Browser {
  readonly cookies = new Map<string, string>();
  /** Set-Cookie headers seen, for flag checks. */
  readonly setCookies: string[] = [];

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    });
    for (const c of res.headers.getSetCookie()) {
      this.setCookies.push(c);
      const [pair] = c.split(';');
      const [name, ...value] = pair!.split('=');
      const v = value.join('=');
      if (/max-age=0/i.test(c) || v === '') this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), v);
    }
    return res;
  }

  /** Follow redirects from `url` until a non-redirect answer; returns it and the URLs visited. */
  async go(url: string): Promise<{ res: Response; visited: string[] }> {
    const visited = [url];
    let res = await this.request(url);
    for (let i = 0; i < 15 && res.status >= 300 && res.status < 400; i++) {
      const next = new URL(res.headers.get('location')!, visited.at(-1)).href;
      visited.push(next);
      res = await this.request(next);
    }
    return { res, visited };
  }
}
