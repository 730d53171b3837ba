// A small Express API protected by requireBearer, on 127.0.0.1, for the bearer tests.
import type { AddressInfo } from 'node:net';
import express from 'express';
import { requireBearer } from '@tokenloop/web/express';
import type { AccessTokenOptions } from '@tokenloop/web';

export async function startApi(
  options: AccessTokenOptions,
): Promise<{ url: string; close(): Promise<void> }> {
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
