// A small API protected by requireBearer (Express or Fastify), on 127.0.0.1, for the bearer tests.
import type { AddressInfo } from 'node:net';
import formbody from '@fastify/formbody';
import express from 'express';
import Fastify from 'fastify';
import type { AccessTokenOptions } from '@tokenloop/web';
import { requireBearer } from '@tokenloop/web/express';
import { requireBearer as fastifyRequireBearer } from '@tokenloop/web/fastify';
import type { Adapter } from './web-app.js';

export interface TestApi {
  url: string;
  close(): Promise<void>;
}

/** `/read` needs scope access_as_user (GET and POST), `/admin` role Data.Read.All, `/any` any valid token. */
export async function startApi(options: AccessTokenOptions, adapter: Adapter = 'express'): Promise<TestApi> {
  if (adapter === 'fastify') {
    const app = Fastify();
    await app.register(formbody);
    const read = fastifyRequireBearer(options, { scopes: ['access_as_user'] });
    app.get('/read', { preHandler: read }, async (req) => ({
      sub: req.tokenClaims?.sub,
      scp: req.tokenClaims?.scp,
    }));
    app.post('/read', { preHandler: read }, async () => ({ ok: true }));
    app.get(
      '/admin',
      { preHandler: fastifyRequireBearer(options, { roles: ['Data.Read.All'] }) },
      async (req) => ({ roles: req.tokenClaims?.roles }),
    );
    app.get('/any', { preHandler: fastifyRequireBearer(options) }, async () => ({ ok: true }));
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url, close: () => app.close() };
  }
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.get('/read', requireBearer(options, { scopes: ['access_as_user'] }), (req, res) => {
    res.json({ sub: req.tokenClaims?.sub, scp: req.tokenClaims?.scp });
  });
  app.post('/read', requireBearer(options, { scopes: ['access_as_user'] }), (_req, res) =>
    res.json({ ok: true }),
  );
  app.get('/admin', requireBearer(options, { roles: ['Data.Read.All'] }), (req, res) =>
    res.json({ roles: req.tokenClaims?.roles }),
  );
  app.get('/any', requireBearer(options), (_req, res) => res.json({ ok: true }));
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
