// A test web app on 127.0.0.1 built with @tokenloop/web's Express adapter, plus a cookie-keeping fetch
// ("a browser") that follows redirects by hand.
import type { AddressInfo } from 'node:net';
import express from 'express';
import { type WebAuth, type WebAuthOptions, createWebAuth } from '@tokenloop/web';
import { requireSignIn, signIn, signInErrors } from '@tokenloop/web/express';
import { requireSignIn as fastifyRequireSignIn, signIn as fastifySignIn } from '@tokenloop/web/fastify';
import formbody from '@fastify/formbody';
import Fastify from 'fastify';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer } from 'node:net';

export interface TestApp {
  url: string;
  auth: WebAuth;
  close(): Promise<void>;
}

export type Adapter = 'express' | 'fastify';

type AppOptions = Omit<WebAuthOptions, 'baseUrl'> & {
  baseUrl?: string;
  graphBase: string;
  apiScope: string;
  adapter?: Adapter;
  /** Express only: serve https with this key and certificate, at https://localhost:<port>. */
  https?: { key: string; cert: string };
};

async function meOf(graphBase: string, accessToken: string): Promise<{ displayName: unknown }> {
  const me = (await (
    await fetch(`${graphBase}/v1.0/me`, { headers: { authorization: `Bearer ${accessToken}` } })
  ).json()) as Record<string, unknown>;
  return { displayName: me.displayName };
}

/**
 * Starts the same small app on Express or Fastify: `/` (who is signed in), `/me` (Graph, behind sign-in),
 * `/api-call` (a token for another API: incremental consent). `baseUrl` defaults to the app's own origin; a
 * second instance "behind the same origin" passes the first one's.
 */
export async function startWebApp(options: AppOptions): Promise<TestApp> {
  return (options.adapter ?? 'express') === 'express' ? startExpress(options) : startFastify(options);
}

async function startExpress(options: AppOptions): Promise<TestApp> {
  const app = express();
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const s = options.https ? createHttpsServer(options.https, app) : createHttpServer(app);
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  const origin = options.https ? `https://localhost:${port}` : `http://127.0.0.1:${port}`;
  const { graphBase, apiScope, adapter: _adapter, https: _https, ...rest } = options;
  const auth = createWebAuth({ ...rest, baseUrl: options.baseUrl ?? origin });
  app.use(express.urlencoded({ extended: false }));
  app.use(signIn(auth));
  app.get('/', (req, res) => {
    res.type('text').send(req.auth?.session ? `signed in as ${req.auth.session.username}` : 'anonymous');
  });
  app.get('/me', requireSignIn(auth), async (req, res, next) => {
    try {
      res.json(await meOf(graphBase, (await req.auth!.getAccessToken(['User.Read'])).accessToken));
    } catch (err) {
      next(err);
    }
  });
  app.get('/api-call', requireSignIn(auth), async (req, res, next) => {
    try {
      res.json({ scopes: (await req.auth!.getAccessToken([apiScope])).scopes });
    } catch (err) {
      next(err);
    }
  });
  app.use(signInErrors());
  return {
    url: origin,
    auth,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // a browser's idle keep-alive connections, too
      });
      await auth.close();
    },
  };
}

async function startFastify(options: AppOptions): Promise<TestApp> {
  const { graphBase, apiScope, adapter: _adapter, https, ...rest } = options;
  if (https) throw new Error('startWebApp: https is for the Express app only');
  // Routes cannot be added after listening, and the auth needs the origin: pick a free port first.
  const free = await freePort();
  const origin = `http://127.0.0.1:${free}`;
  const auth = createWebAuth({ ...rest, baseUrl: options.baseUrl ?? origin });
  const server = Fastify();
  await server.register(formbody);
  await server.register(fastifySignIn(auth));
  server.get('/', async (req, reply) =>
    reply
      .type('text/plain')
      .send(req.auth?.session ? `signed in as ${req.auth.session.username}` : 'anonymous'),
  );
  server.get('/me', { preHandler: fastifyRequireSignIn(auth) }, async (req) =>
    meOf(graphBase, (await req.auth!.getAccessToken(['User.Read'])).accessToken),
  );
  server.get('/api-call', { preHandler: fastifyRequireSignIn(auth) }, async (req) => ({
    scopes: (await req.auth!.getAccessToken([apiScope])).scopes,
  }));
  await server.listen({ port: free, host: '127.0.0.1' });
  return {
    url: origin,
    auth,
    close: async () => {
      await server.close();
      await auth.close();
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
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
