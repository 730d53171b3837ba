// A scripted OpenID Provider on 127.0.0.1 for protocol and fault tests: real HTTP, real RS256 keys, a request
// log, and per-test handlers for any path (status codes, Retry-After, delays, connection resets, odd bodies).
import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, SignJWT, exportJWK, generateKeyPair } from 'jose';

export interface LoggedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: URLSearchParams;
  at: number;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** JSON-serialised unless a string. */
  body?: unknown;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Destroy the connection instead of answering. */
  reset?: boolean;
}

export type Handler = (req: LoggedRequest) => Reply | Promise<Reply>;

export interface ScriptedProvider {
  url: string;
  clientId: string;
  log: LoggedRequest[];
  /** Requests made to a path. */
  count(path: string): number;
  /** Replace what a path answers (undefined restores the default). */
  on(path: string, handler: Handler | undefined): void;
  /** Extra or overridden discovery members. */
  metadata: Record<string, unknown>;
  idToken(claims?: Record<string, unknown>): Promise<string>;
  /** The provider's signing key (kid k1) and its public JWK as published. */
  signingKey: CryptoKey;
  publicJwk: Record<string, unknown>;
  /** The default token endpoint's behaviour: answer for every grant with these members (merged). */
  tokenResponse(extra?: Record<string, unknown>): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startScriptedProvider(options: { clientId?: string } = {}): Promise<ScriptedProvider> {
  const clientId = options.clientId ?? 'scripted-client';
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', use: 'sig', alg: 'RS256' };
  const handlers = new Map<string, Handler>();
  const log: LoggedRequest[] = [];
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let counter = 0;

  const provider: ScriptedProvider = {
    url,
    clientId,
    log,
    metadata: {},
    signingKey: privateKey as CryptoKey,
    publicJwk: jwk,
    count: (path) => log.filter((r) => r.path === path).length,
    on(path, handler) {
      if (handler) handlers.set(path, handler);
      else handlers.delete(path);
    },
    async idToken(claims = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ sub: 'user-1', name: 'Test User', email: 'user@example.test', ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(url)
        .setAudience(clientId)
        .setIssuedAt(now)
        .setExpirationTime(now + 3600)
        .sign(privateKey as CryptoKey);
    },
    async tokenResponse(extra = {}) {
      counter += 1;
      return {
        access_token: `at-${counter}-${randomBytes(8).toString('hex')}`,
        token_type: 'Bearer',
        expires_in: 3600,
        refresh_token: `rt-${counter}-${randomBytes(8).toString('hex')}`,
        scope: 'openid offline_access read',
        id_token: await provider.idToken(),
        ...extra,
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const defaults: Record<string, Handler> = {
    '/.well-known/openid-configuration': () => ({
      body: {
        issuer: url,
        authorization_endpoint: `${url}/authorize`,
        token_endpoint: `${url}/token`,
        device_authorization_endpoint: `${url}/device`,
        userinfo_endpoint: `${url}/userinfo`,
        jwks_uri: `${url}/jwks`,
        end_session_endpoint: `${url}/logout`,
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'none'],
        scopes_supported: ['openid', 'offline_access', 'read'],
        ...provider.metadata,
      },
    }),
    '/jwks': () => ({ body: { keys: [jwk] } }),
    '/token': async () => ({ body: await provider.tokenResponse() }),
    '/device': () => ({
      body: {
        device_code: `dc-${randomBytes(6).toString('hex')}`,
        user_code: 'ABCD-EFGH',
        verification_uri: `${url}/activate`,
        expires_in: 600,
        interval: 1,
      },
    }),
    '/userinfo': () => ({ body: { sub: 'user-1', name: 'Test User' } }),
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = new URL(req.url ?? '/', url);
      const entry: LoggedRequest = {
        method: req.method ?? 'GET',
        path: target.pathname,
        query: target.searchParams,
        headers: req.headers,
        body: new URLSearchParams(Buffer.concat(chunks).toString('utf8')),
        at: Date.now(),
      };
      log.push(entry);
      const handler = handlers.get(entry.path) ?? defaults[entry.path];
      void Promise.resolve(handler ? handler(entry) : { status: 404, body: { error: 'not_found' } }).then(
        async (reply) => {
          if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
          if (reply.reset) {
            req.socket.destroy();
            return;
          }
          const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
          res.writeHead(reply.status ?? 200, {
            'content-type': typeof reply.body === 'string' ? 'text/plain' : 'application/json',
            'cache-control': 'no-store',
            ...reply.headers,
          });
          res.end(text);
        },
      );
    });
  });
  return provider;
}
