/**
 * Two web apps as their frameworks' documentation sets them up for Microsoft Entra ID, each an Express server on
 * loopback (a random port), pointed at the emulator by its issuer alone:
 *   - Auth.js (`@auth/express` with `@auth/core`'s `microsoft-entra-id` provider), JWT sessions;
 *   - Auth0's `express-openid-connect`, authorization code flow with a client secret and RP-initiated logout.
 * Each answers `GET /me` with what its session holds about the person (claims, never tokens).
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExpressAuth, type ExpressAuthConfig, getSession } from '@auth/express';
import MicrosoftEntraID from '@auth/express/providers/microsoft-entra-id';
import express from 'express';
import { auth } from 'express-openid-connect';

export interface FrameworkApp {
  origin: string;
  close(): Promise<void>;
}

export interface AppRegistration {
  /** The emulator's tenant-specific v2.0 issuer, `…/{tenant}/v2.0`. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The app's own secret (session encryption), as the framework's docs ask for one. */
  sessionSecret: string;
}

async function listen(app: express.Express): Promise<FrameworkApp> {
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Auth.js, as its Express guide and its Microsoft Entra ID provider page say: the provider with client id, secret
 * and issuer; `trustHost` (the app runs behind no proxy that Auth.js knows of); the `oid` claim copied from the
 * ID token into the session by the `jwt` and `session` callbacks (Auth.js keeps only name, email and image).
 */
export async function startAuthJsApp(r: AppRegistration): Promise<FrameworkApp> {
  const config: ExpressAuthConfig = {
    providers: [MicrosoftEntraID({ clientId: r.clientId, clientSecret: r.clientSecret, issuer: r.issuer })],
    secret: r.sessionSecret,
    trustHost: true,
    callbacks: {
      jwt({ token, profile }) {
        if (profile) token.oid = profile.oid;
        return token;
      },
      session({ session, token }) {
        return { ...session, user: { ...session.user, oid: token.oid } };
      },
    },
  };
  const app = express();
  app.set('trust proxy', true);
  app.use('/auth', ExpressAuth(config));
  app.get('/me', async (req, res) => {
    res.json((await getSession(req, config)) ?? {});
  });
  return listen(app);
}

/**
 * express-openid-connect with the code flow (`response_type: 'code'`, a client secret) answered by query, and
 * `idpLogout` for RP-initiated logout at the discovery document's `end_session_endpoint`.
 */
export async function startExpressOpenIdConnectApp(r: AppRegistration): Promise<FrameworkApp> {
  const app = express();
  const started = await listen(app);
  app.use(
    auth({
      issuerBaseURL: r.issuer,
      baseURL: started.origin,
      clientID: r.clientId,
      clientSecret: r.clientSecret,
      secret: r.sessionSecret,
      authRequired: false,
      idpLogout: true,
      authorizationParams: { response_type: 'code', response_mode: 'query', scope: 'openid profile email' },
    }),
  );
  app.get('/me', (req, res) => {
    const user = req.oidc.user;
    res.json(user ? { name: user.name, email: user.email, oid: user.oid, tid: user.tid } : {});
  });
  return started;
}
