// A token issuer on 127.0.0.1 with a signing key of the test's own, for the bearer checks the emulator cannot
// reach: tokens whose claims the emulator never mints (an ID token carrying `roles`, a token without
// access-token markers, RFC 9068 `at+jwt` tokens of a generic provider) and key endpoints that misbehave
// (a redirect elsewhere, a 40 MiB body). It serves an Entra-shaped authority (`/{tenant}/v2.0/...`) and a
// generic OpenID provider (`/oidc/...`) at once, and `/organizations` (the multi-tenant template issuer, every
// tenant signing with the same key), and counts the requests each path received.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type JWK, SignJWT, exportJWK, generateKeyPair } from 'jose';

/** How the key endpoint answers. */
export type KeysBehaviour =
  | { kind: 'keys' }
  | { kind: 'redirect'; location: string }
  /** A JWKS with the real key, padded to `bytes`, sent chunked (no Content-Length) so only a streaming cap stops it. */
  | { kind: 'huge'; bytes: number };

export interface LoopbackIssuer {
  url: string;
  /** The Entra tenant this issuer plays. */
  tenantId: string;
  /** `${url}/${tenantId}`: an Entra authority (no cloud, so v1 issuers are `${url}/${tenantId}/`). */
  authority: string;
  v2Issuer: string;
  v1Issuer: string;
  /** A generic OpenID provider's issuer. */
  oidcIssuer: string;
  /** The public key set, also usable by another server. */
  jwks: { keys: JWK[] };
  keys: KeysBehaviour;
  /** The `jwks_uri` the Entra-shaped discovery document names (default: this issuer's own key endpoint). */
  jwksUri: string;
  /** Requests per path. */
  hits: Map<string, number>;
  /** Bytes of a huge JWKS the server got out before the client stopped reading. */
  hugeBytesWritten: number;
  sign(claims: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Write `total` bytes of JWKS in 64 KiB chunks, waiting for the socket to drain, until done or the peer leaves. */
function sendHuge(res: ServerResponse, jwks: { keys: JWK[] }, total: number, counted: (n: number) => void) {
  res.writeHead(200, { 'content-type': 'application/json' });
  const head = `{"keys":${JSON.stringify(jwks.keys)},"padding":"`;
  const tail = '"}';
  const chunk = Buffer.alloc(64 * 1024, 'A');
  let left = total - head.length - tail.length;
  const pump = () => {
    while (left > 0 && !res.destroyed) {
      const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= piece.length;
      const more = res.write(piece, (err) => {
        if (!err) counted(piece.length);
      });
      if (!more) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end(tail);
  };
  res.write(head, () => counted(head.length));
  pump();
}

export async function startLoopbackIssuer(tenantId: string): Promise<LoopbackIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = 'loopback-test-key';
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' }] };
  let url = '';
  const issuer: LoopbackIssuer = {
    url: '',
    tenantId,
    authority: '',
    v2Issuer: '',
    v1Issuer: '',
    oidcIssuer: '',
    jwks,
    keys: { kind: 'keys' },
    jwksUri: '',
    hits: new Map(),
    hugeBytesWritten: 0,
    sign: (claims, header = {}) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, ...header }).sign(privateKey),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const keys = (res: ServerResponse) => {
    const b = issuer.keys;
    if (b.kind === 'keys') return json(res, jwks);
    if (b.kind === 'redirect') {
      res.writeHead(302, { location: b.location });
      return void res.end();
    }
    sendHuge(res, jwks, b.bytes, (n) => (issuer.hugeBytesWritten += n));
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', url).pathname;
    issuer.hits.set(path, (issuer.hits.get(path) ?? 0) + 1);
    if (path === `/${tenantId}/v2.0/.well-known/openid-configuration`) {
      return json(res, {
        issuer: issuer.v2Issuer,
        jwks_uri: issuer.jwksUri,
        authorization_endpoint: `${issuer.authority}/oauth2/v2.0/authorize`,
        token_endpoint: `${issuer.authority}/oauth2/v2.0/token`,
        id_token_signing_alg_values_supported: ['RS256'],
      });
    }
    if (path === '/organizations/v2.0/.well-known/openid-configuration') {
      // A multi-tenant authority: the issuer is Entra's {tenantid} template; every tenant signs with this key.
      return json(res, {
        issuer: `${url}/{tenantid}/v2.0`,
        jwks_uri: issuer.jwksUri,
        authorization_endpoint: `${url}/organizations/oauth2/v2.0/authorize`,
        token_endpoint: `${url}/organizations/oauth2/v2.0/token`,
        id_token_signing_alg_values_supported: ['RS256'],
      });
    }
    if (path === '/oidc/.well-known/openid-configuration') {
      return json(res, {
        issuer: issuer.oidcIssuer,
        jwks_uri: `${issuer.oidcIssuer}/keys`,
        authorization_endpoint: `${issuer.oidcIssuer}/authorize`,
        token_endpoint: `${issuer.oidcIssuer}/token`,
        id_token_signing_alg_values_supported: ['RS256'],
      });
    }
    if (path === `/${tenantId}/discovery/v2.0/keys` || path === '/oidc/keys') return keys(res);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(issuer, {
    url,
    authority: `${url}/${tenantId}`,
    v2Issuer: `${url}/${tenantId}/v2.0`,
    v1Issuer: `${url}/${tenantId}/`,
    oidcIssuer: `${url}/oidc`,
    jwksUri: `${url}/${tenantId}/discovery/v2.0/keys`,
  });
  return issuer;
}

/** A server on another loopback origin that answers every request with the JWKS given, counting requests. */
export async function startKeyServer(jwks: {
  keys: JWK[];
}): Promise<{ url: string; hits: () => number; close(): Promise<void> }> {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    json(res, jwks);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
