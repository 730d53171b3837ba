/**
 * The MSAL side of msal.test.ts, in a Node process of its own: started with NODE_EXTRA_CA_CERTS pointing at the
 * emulator's local CA (Node reads it only at start-up), so @azure/msal-node and jose reach the emulator over
 * https with nothing patched. Operations arrive over IPC (see protocol.ts); when a browser is needed the driver
 * sends the URL to the parent, which drives Chromium. Results carry decoded claims and checks, never tokens.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AccountInfo,
  type AuthenticationResult,
  ConfidentialClientApplication,
  CryptoProvider,
  LogLevel,
  PublicClientApplication,
} from '@azure/msal-node';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import type {
  AppSpec,
  ChildMessage,
  DecodedJwt,
  DriverError,
  IdTokenCheck,
  Operation,
  ParentMessage,
  TokenSummary,
} from './protocol.ts';

const REDIRECT_TIMEOUT_MS = 30_000;

/** Claims worth looking at in a test; everything here is public information about the token. */
const CLAIMS = [
  'iss',
  'aud',
  'tid',
  'oid',
  'sub',
  'ver',
  'scp',
  'roles',
  'idtyp',
  'appid',
  'azp',
  'appidacr',
  'azpacr',
  'uti',
  'iat',
  'nbf',
  'exp',
  'nonce',
  'name',
  'preferred_username',
  'upn',
];
const HEADER = ['alg', 'typ', 'kid', 'x5t'];

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}

interface Registered {
  spec: AppSpec;
  pca?: PublicClientApplication;
  cca?: ConfidentialClientApplication;
  /** MSAL warnings and errors (PII logging off), reported when an operation fails. */
  log: string[];
}

const apps = new Map<string, Registered>();
const crypto = new CryptoProvider();
const jwksByUri = new Map<string, ReturnType<typeof createLocalJWKSet>>();
const discoveryByAuthority = new Map<string, { issuer: string; jwks_uri: string }>();

function send(m: ChildMessage): void {
  if (process.connected) process.send?.(m);
}

function registered(name: string): Registered {
  const r = apps.get(name);
  if (!r) throw new Error(`no app '${name}' in the driver`);
  return r;
}

function client(r: Registered): PublicClientApplication | ConfidentialClientApplication {
  return (r.pca ?? r.cca)!;
}

function createApp(spec: AppSpec): { name: string } {
  const log: string[] = [];
  const auth = {
    clientId: spec.clientId,
    authority: spec.authority,
    knownAuthorities: [new URL(spec.authority).host],
  };
  const system = {
    loggerOptions: {
      piiLoggingEnabled: false,
      logLevel: LogLevel.Warning,
      loggerCallback: (_level: LogLevel, message: string) => {
        if (log.length < 200) log.push(message);
      },
    },
  };
  const r: Registered = { spec, log };
  if (spec.kind === 'public') {
    r.pca = new PublicClientApplication({ auth, system });
  } else {
    r.cca = new ConfidentialClientApplication({
      auth: {
        ...auth,
        ...(spec.clientSecret ? { clientSecret: spec.clientSecret } : {}),
        ...(spec.clientCertificate ? { clientCertificate: spec.clientCertificate } : {}),
      },
      system,
    });
  }
  apps.set(spec.name, r);
  return { name: spec.name };
}

/** The authority's discovery document, as MSAL itself reads it (issuer and jwks_uri). */
async function discovery(authority: string): Promise<{ issuer: string; jwks_uri: string }> {
  let doc = discoveryByAuthority.get(authority);
  if (!doc) {
    const res = await fetch(`${authority}/v2.0/.well-known/openid-configuration`, {
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`discovery answered ${res.status}`);
    doc = (await res.json()) as { issuer: string; jwks_uri: string };
    discoveryByAuthority.set(authority, doc);
  }
  return doc;
}

/**
 * Verifies an ID token with jose against the JWKS the authority's discovery document names (fetched over
 * https, trusting the CA through NODE_EXTRA_CA_CERTS): RS256 signature, issuer (the discovery issuer, with
 * `{tenantid}` replaced by the token's `tid` for multi-tenant authorities), audience = client id, exp/nbf.
 */
async function checkIdToken(idToken: string, r: Registered): Promise<IdTokenCheck> {
  const doc = await discovery(r.spec.authority);
  let jwks = jwksByUri.get(doc.jwks_uri);
  if (!jwks) {
    // Fetched over https, trusting the emulator's CA (NODE_EXTRA_CA_CERTS); each test's emulator has its own
    // origin, hence its own jwks_uri and its own entry here.
    const res = await fetch(doc.jwks_uri, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`the JWKS answered ${res.status}`);
    jwks = createLocalJWKSet((await res.json()) as JSONWebKeySet);
    jwksByUri.set(doc.jwks_uri, jwks);
  }
  const tid = String(decodeJwt(idToken).tid ?? '');
  const issuer = doc.issuer.replace('{tenantid}', tid);
  try {
    const { payload, protectedHeader } = await jwtVerify(idToken, jwks, {
      algorithms: ['RS256'],
      issuer,
      audience: r.spec.clientId,
      requiredClaims: ['iat', 'exp', 'tid', 'oid', 'sub'],
    });
    return {
      verified: true,
      jwksUri: doc.jwks_uri,
      header: pick(protectedHeader as Record<string, unknown>, HEADER),
      claims: pick(payload as Record<string, unknown>, CLAIMS),
    };
  } catch (err) {
    return {
      verified: false,
      jwksUri: doc.jwks_uri,
      error: `${(err as Error).name}: ${(err as Error).message}`,
    };
  }
}

function decode(jwt: string): DecodedJwt | null {
  try {
    return {
      header: pick(decodeProtectedHeader(jwt) as Record<string, unknown>, HEADER),
      claims: pick(decodeJwt(jwt) as Record<string, unknown>, CLAIMS),
    };
  } catch {
    return null;
  }
}

async function callMe(r: Registered, accessToken: string): Promise<TokenSummary['me']> {
  const url = `${new URL(r.spec.authority).origin}/v1.0/me`;
  const res = await fetch(url, {
    headers: { Authorization: `Bearer ${accessToken}` },
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok) {
    const error = body.error as { code?: string } | undefined;
    return { status: res.status, error: error?.code ?? 'unknown' };
  }
  return {
    status: res.status,
    id: body.id as string,
    userPrincipalName: body.userPrincipalName as string,
    displayName: body.displayName as string,
  };
}

async function summarize(r: Registered, result: AuthenticationResult, me = false): Promise<TokenSummary> {
  const account = result.account;
  const summary: TokenSummary = {
    fromCache: result.fromCache,
    tokenType: result.tokenType,
    scopes: result.scopes,
    expiresIn: result.expiresOn ? Math.round((result.expiresOn.getTime() - Date.now()) / 1000) : null,
    tenantId: result.tenantId,
    uniqueId: result.uniqueId,
    account: account
      ? {
          homeAccountId: account.homeAccountId,
          environment: account.environment,
          tenantId: account.tenantId,
          username: account.username,
          localAccountId: account.localAccountId,
          ...(account.name ? { name: account.name } : {}),
        }
      : null,
    msalIdTokenClaims: result.idTokenClaims
      ? pick(result.idTokenClaims as Record<string, unknown>, CLAIMS)
      : null,
    idToken: result.idToken ? await checkIdToken(result.idToken, r) : null,
    accessToken: result.accessToken ? decode(result.accessToken) : null,
  };
  if (me) summary.me = await callMe(r, result.accessToken);
  return summary;
}

/** A loopback "web app" on a random port that records the authorization response at `path` (GET or POST). */
async function redirectTarget(
  path: string,
  host: '127.0.0.1' | 'localhost' = '127.0.0.1',
): Promise<{ server: Server; redirectUri: string; response: Promise<Record<string, string>> }> {
  let settle!: (fields: Record<string, string>) => void;
  let fail!: (err: Error) => void;
  const response = new Promise<Record<string, string>>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  const server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      if (body.length < 100_000) body += chunk;
    });
    req.on('end', () => {
      if (url.pathname !== path) {
        res.writeHead(404).end();
        return;
      }
      const fields = Object.fromEntries(
        req.method === 'POST' ? new URLSearchParams(body) : url.searchParams,
      ) as Record<string, string>;
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html lang="en"><title>Signed in</title><h1>Back in the app</h1></html>');
      settle(fields);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const timer = setTimeout(
    () => fail(new Error(`no authorization response within ${REDIRECT_TIMEOUT_MS} ms`)),
    REDIRECT_TIMEOUT_MS,
  );
  void response.finally(() => clearTimeout(timer)).catch(() => {});
  return {
    server,
    redirectUri: `http://${host}:${(server.address() as AddressInfo).port}${path}`,
    response,
  };
}

async function findAccount(r: Registered, username: string): Promise<AccountInfo> {
  const accounts = await client(r).getTokenCache().getAllAccounts();
  const account = accounts.find((a) => a.username.toLowerCase() === username.toLowerCase());
  if (!account) throw new Error(`no cached account '${username}' (${accounts.length} accounts in the cache)`);
  return account;
}

async function run(id: number, o: Operation): Promise<unknown> {
  switch (o.op) {
    case 'createApp':
      return createApp(o.app);
    case 'signInByCode': {
      // As msal-node's auth code sample: PKCE codes from CryptoProvider, state and nonce, then the code.
      const r = registered(o.app);
      const target = await redirectTarget(o.redirectPath, o.redirectHost);
      try {
        const { verifier, challenge } = await crypto.generatePkceCodes();
        const state = crypto.createNewGuid();
        const nonce = crypto.createNewGuid();
        const url = await client(r).getAuthCodeUrl({
          scopes: o.scopes,
          redirectUri: target.redirectUri,
          codeChallenge: challenge,
          codeChallengeMethod: 'S256',
          state,
          nonce,
          ...(o.responseMode ? { responseMode: o.responseMode } : {}),
        });
        send({ type: 'browse', id, url });
        const fields = await target.response;
        if (fields.error)
          throw new Error(`authorization error ${fields.error}: ${fields.error_description ?? ''}`);
        const code = fields.code;
        if (!code) throw new Error('the authorization response has no code');
        const result = await client(r).acquireTokenByCode(
          {
            code,
            scopes: o.scopes,
            redirectUri: target.redirectUri,
            codeVerifier: verifier,
            state,
            nonce,
          },
          { ...fields, code },
        );
        return summarize(r, result, o.callMe);
      } finally {
        target.server.closeAllConnections();
        target.server.close();
      }
    }
    case 'signInInteractive': {
      const r = registered(o.app);
      if (!r.pca) throw new Error('acquireTokenInteractive needs a public client');
      const result = await r.pca.acquireTokenInteractive({
        scopes: o.scopes,
        openBrowser: async (url) => {
          send({ type: 'browse', id, url });
        },
        successTemplate: '<h1>Signed in to the MSAL test app</h1>',
        errorTemplate: '<h1>Sign-in failed</h1>',
      });
      return summarize(r, result, o.callMe);
    }
    case 'signInByDeviceCode': {
      const r = registered(o.app);
      if (!r.pca) throw new Error('acquireTokenByDeviceCode needs a public client');
      const result = await r.pca.acquireTokenByDeviceCode({
        scopes: o.scopes,
        timeout: 60,
        deviceCodeCallback: (response) => {
          send({
            type: 'deviceCode',
            id,
            userCode: response.userCode,
            verificationUri: response.verificationUri,
            message: response.message,
            expiresIn: response.expiresIn,
            interval: response.interval,
          });
        },
      });
      if (!result) throw new Error('acquireTokenByDeviceCode returned null');
      return summarize(r, result, o.callMe);
    }
    case 'signInByPassword': {
      const r = registered(o.app);
      const result = await client(r).acquireTokenByUsernamePassword({
        scopes: o.scopes,
        username: o.username,
        password: o.password,
      });
      if (!result) throw new Error('acquireTokenByUsernamePassword returned null');
      return summarize(r, result);
    }
    case 'silent': {
      const r = registered(o.app);
      const account = await findAccount(r, o.username);
      const result = await client(r).acquireTokenSilent({
        account,
        scopes: o.scopes,
        ...(o.forceRefresh ? { forceRefresh: true } : {}),
      });
      return summarize(r, result, o.callMe);
    }
    case 'clientCredentials': {
      const r = registered(o.app);
      if (!r.cca) throw new Error('acquireTokenByClientCredential needs a confidential client');
      const result = await r.cca.acquireTokenByClientCredential({ scopes: o.scopes });
      if (!result) throw new Error('acquireTokenByClientCredential returned null');
      return summarize(r, result);
    }
    case 'onBehalfOf': {
      const r = registered(o.app);
      if (!r.cca) throw new Error('acquireTokenOnBehalfOf needs a confidential client');
      const from = registered(o.fromApp);
      // The user's token for the API, as the front end would send it in an Authorization header.
      const incoming = await client(from).acquireTokenSilent({
        account: await findAccount(from, o.username),
        scopes: o.fromScopes,
      });
      const result = await r.cca.acquireTokenOnBehalfOf({
        oboAssertion: incoming.accessToken,
        scopes: o.scopes,
      });
      if (!result) throw new Error('acquireTokenOnBehalfOf returned null');
      return summarize(r, result, o.callMe);
    }
    case 'accounts': {
      const accounts = await client(registered(o.app)).getTokenCache().getAllAccounts();
      return accounts.map((a) => ({
        username: a.username,
        homeAccountId: a.homeAccountId,
        tenantId: a.tenantId,
      }));
    }
  }
}

function describeError(err: unknown, o: Operation): DriverError {
  const e = err as Error & { errorCode?: string; subError?: string };
  const app = 'app' in o && typeof o.app === 'string' ? apps.get(o.app) : undefined;
  const log = app?.log.length ? `\nMSAL log:\n${app.log.slice(-10).join('\n')}` : '';
  return {
    name: e?.name ?? 'Error',
    message: `${e?.message ?? String(err)}${log}`,
    ...(e?.errorCode ? { errorCode: e.errorCode } : {}),
    ...(e?.subError ? { subError: e.subError } : {}),
  };
}

process.on('message', (m: ParentMessage) => {
  if (m.type !== 'call') return;
  const { type: _type, id, ...operation } = m;
  run(id, operation as Operation).then(
    (value) => send({ type: 'result', id, ok: true, value }),
    (err: unknown) =>
      send({ type: 'result', id, ok: false, error: describeError(err, operation as Operation) }),
  );
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
