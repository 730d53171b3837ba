// Bench target: one Express app with two identical protected routes — one behind tokenloop's requireBearer,
// one verifying with bare jose jwtVerify and a cached remote JWKS (the usual hand-written middleware), both
// for the same audience and issuer. Env: AUTHORITY, AUDIENCE (comma list), ISSUER_TEMPLATE, JWKS_URL.
import { createRemoteJWKSet, jwtVerify } from 'jose';
import express from 'express';
import { requireBearer } from '../../packages/web/src/adapters/express.ts';

const audience = process.env.AUDIENCE!.split(',');
const jwks = createRemoteJWKSet(new URL(process.env.JWKS_URL!));
const app = express();
app.post(
  '/tokenloop',
  requireBearer({ authority: process.env.AUTHORITY!, audience }, { scopes: ['access_as_user'] }),
  (req, res) => {
    res.json({ sub: req.tokenClaims?.sub });
  },
);
app.post('/jose', async (req, res) => {
  const m = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
  try {
    if (!m) throw new Error('no token');
    const { payload } = await jwtVerify(m[1]!, jwks, {
      audience,
      issuer: process.env.ISSUER!,
      algorithms: ['RS256'],
    });
    if (
      !String(payload.scp ?? '')
        .split(' ')
        .includes('access_as_user')
    ) {
      res.status(403).json({ error: 'insufficient_scope' });
      return;
    }
    res.json({ sub: payload.sub });
  } catch {
    res.status(401).json({ error: 'invalid_token' });
  }
});
const server = app.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as import('node:net').AddressInfo;
  console.log(`READY http://127.0.0.1:${port}`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
