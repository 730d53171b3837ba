// A real, independent OpenID Provider for interoperability tests: panva's oidc-provider (v9) on 127.0.0.1 over
// plain http (loopback only), with a public native client, a confidential web client, two app-only clients
// (client_secret_basic and private_key_jwt), two users, the device flow, client credentials, refresh-token
// rotation and PKCE required. Sign-in pages are plain HTML forms that `ProviderBrowser` (a cookie-jar fetch
// client) fills in, so no real browser is needed. The signing keys can be rotated by restarting the provider
// (a new instance with a new JWKS) behind the same listener, i.e. on the same port with the same issuer.
import { EventEmitter } from 'node:events';
import { X509Certificate, generateKeyPairSync, randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSelfSignedKey } from '@tokenloop/emulator';
import Provider, {
  type Account,
  type Adapter,
  type AdapterFactory,
  type AdapterPayload,
  type ClientMetadata,
  type Configuration,
  type KoaContextWithOIDC,
  type JWK,
} from 'oidc-provider';

/** A user the provider knows. `sub` is deliberately unlike the login name and the e-mail address. */
export interface TestUser {
  login: string;
  sub: string;
  email: string;
  name: string;
  preferredUsername: string;
}

export const USERS = {
  alice: {
    login: 'alice',
    sub: 'a1f0c6e2-0d1e-4c6b-9a57-3f1c2b7d0a11',
    email: 'alice@example.test',
    name: 'Alice Example',
    preferredUsername: 'alice@example.test',
  },
  bob: {
    login: 'bob',
    sub: 'b2e1d7f3-1e2f-4d7c-8b68-4a2d3c8e1b22',
    email: 'bob@example.test',
    name: 'Bob Example',
    preferredUsername: 'bob@example.test',
  },
  // Look-alikes of alice for the account-lookup tests (S70): mallory chose alice's preferred_username and has a
  // sub that differs from hers only in case (`sub` is case-sensitive, OIDC Core §2); eve's preferred_username is
  // alice's account id at this provider (`{issuer}` is replaced with the issuer).
  mallory: {
    login: 'mallory',
    sub: 'A1F0C6E2-0D1E-4C6B-9A57-3F1C2B7D0A11',
    email: 'mallory@example.test',
    name: 'Mallory Example',
    preferredUsername: 'alice@example.test',
  },
  eve: {
    login: 'eve',
    sub: 'e5d4c3b2-2f3a-4e8d-9c79-5b3e4d9f2c33',
    email: 'eve@example.test',
    name: 'Eve Example',
    preferredUsername: 'a1f0c6e2-0d1e-4c6b-9a57-3f1c2b7d0a11@{issuer}',
  },
} as const satisfies Record<string, TestUser>;

export type UserName = keyof typeof USERS;

export const CLIENT_IDS = {
  /** Public native client: loopback redirect (any port), auth code + refresh + device code. */
  native: 'tokenloop-native',
  /** Confidential web client (client_secret_basic), exact redirect URI. */
  web: 'tokenloop-web',
  /** App-only client with a secret (client_secret_basic). */
  service: 'tokenloop-service',
  /** App-only client with a certificate key (private_key_jwt). */
  serviceJwt: 'tokenloop-service-jwt',
  /**
   * Public native client like `native`, but allowed only `openid profile email`: the provider refuses any other
   * scope it knows, offline_access included, with `invalid_scope` (RFC 6749 §4.1.2.1), and still issues refresh
   * tokens (the grant type is allowed), as many providers do.
   */
  nativeNoOffline: 'tokenloop-native-no-offline',
} as const;

/** The web client's registered redirect URI. Never contacted: tests read the redirect's Location instead. */
export const WEB_REDIRECT_URI = 'http://127.0.0.1:4711/callback';
/** The native client's registered redirect URI (oidc-provider matches loopback URIs of native clients on any port). */
export const NATIVE_REDIRECT_URI = 'http://127.0.0.1/';
export const NATIVE_POST_LOGOUT_REDIRECT_URI = 'http://127.0.0.1/signed-out';
/** Scopes app-only clients may ask for. */
export const API_SCOPES = ['api:read', 'api:write'] as const;

/** One request that reached the token endpoint, as the provider answered it. */
export interface TokenRequestRecord {
  grantType: string | undefined;
  clientId: string | undefined;
  status: number;
  /** The OAuth `error` of the answer, undefined on success. */
  error: string | undefined;
  /** Which of access_token, id_token, refresh_token the answer carried (sorted). */
  issued: string[];
}

export interface OidcProviderHarness {
  /** `http://127.0.0.1:PORT` — the provider's issuer and origin. */
  issuer: string;
  /** The discovery document (as the provider serves it now). */
  metadata(): Promise<Record<string, unknown>>;
  /** Every token endpoint request, in order (all grants, all clients). */
  readonly tokenRequests: readonly TokenRequestRecord[];
  /** How many token endpoint requests match (all when no filter). */
  countTokenRequests(filter?: { grantType?: string; clientId?: string }): number;
  /** How many times the JWKS was fetched. */
  readonly jwksRequests: number;
  /** Emits `token` with each `TokenRequestRecord` after the provider answered. */
  readonly events: EventEmitter;
  /** The `kid` the provider signs with now. */
  readonly signingKid: string;
  /** All `kid`s the provider publishes now. */
  readonly publishedKids: readonly string[];
  /**
   * Restart the provider with a new signing key (same port, same issuer, same stored grants and sessions).
   * `keepOld`: keep publishing the previous keys (a graceful rotation) or drop them. Returns the new `kid`.
   */
  rotateSigningKey(options: { keepOld: boolean }): Promise<string>;
  /**
   * Answer the next `count` device-code polls that would be `authorization_pending` with `slow_down` instead
   * (RFC 8628 §3.5). oidc-provider defines the error but never sends it on its own.
   */
  slowDownDevicePolls(count: number): void;
  /** The private_key_jwt client's credential (RSA key + self-signed certificate, PEM). */
  serviceCertificate: { privateKey: string; certificate: string };
  /** The web and service clients' secret. */
  clientSecret: string;
  /** A new browser (empty cookie jar) for this provider. */
  browser(): ProviderBrowser;
  close(): Promise<void>;
}

export interface StartOptions {
  /** The `interval` the device authorization endpoint announces, in seconds (default 1; unset: omitted). */
  deviceInterval?: number | null;
  /** Publish `scopes_supported` in the discovery document (default true). Many providers publish none. */
  publishScopesSupported?: boolean;
}

function rsaSigningKey(kid: string): JWK {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...(privateKey.export({ format: 'jwk' }) as JWK), kid, alg: 'RS256', use: 'sig' };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function html(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

function findUserBySub(sub: string): TestUser | undefined {
  return Object.values(USERS).find((u) => u.sub === sub);
}

function findUserByLogin(login: string): TestUser | undefined {
  return Object.values(USERS).find((u) => u.login === login);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * The provider's storage (sessions, grants, codes, tokens), kept by the harness so that it survives a restart
 * of the provider — like a database would. (oidc-provider's own memory adapter belongs to one instance.)
 */
function persistentStorage(): AdapterFactory {
  const entries = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  /** Session uid → session id, user code → device code id. */
  const index = new Map<string, string>();
  const grants = new Map<string, Set<string>>();
  const get = (key: string | undefined): AdapterPayload | undefined => {
    const entry = key === undefined ? undefined : entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > Date.now()) return entry.payload;
    entries.delete(key!);
    return undefined;
  };
  return (model: string): Adapter => ({
    async upsert(id, payload, expiresIn) {
      const key = `${model}:${id}`;
      const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Infinity;
      entries.set(key, { payload, expiresAt });
      if (model === 'Session' && payload.uid) index.set(`${model}:uid:${payload.uid}`, key);
      if (payload.userCode) index.set(`${model}:userCode:${payload.userCode}`, key);
      if (payload.grantId) {
        const members = grants.get(payload.grantId) ?? new Set<string>();
        members.add(key);
        grants.set(payload.grantId, members);
      }
    },
    async find(id) {
      return get(`${model}:${id}`);
    },
    async findByUid(uid) {
      return get(index.get(`${model}:uid:${uid}`));
    },
    async findByUserCode(userCode) {
      return get(index.get(`${model}:userCode:${userCode}`));
    },
    async consume(id) {
      const payload = get(`${model}:${id}`);
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    },
    async destroy(id) {
      entries.delete(`${model}:${id}`);
    },
    async revokeByGrantId(grantId) {
      for (const key of grants.get(grantId) ?? []) entries.delete(key);
      grants.delete(grantId);
    },
  });
}

/** Start the provider on 127.0.0.1 (an ephemeral port). */
export async function startOidcProvider(options: StartOptions = {}): Promise<OidcProviderHarness> {
  const deviceInterval = options.deviceInterval === undefined ? 1 : options.deviceInterval;
  const publishScopesSupported = options.publishScopesSupported ?? true;
  const server: Server = createServer();
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const clientSecret = randomBytes(24).toString('base64url');
  const cookieKeys = [randomBytes(32).toString('base64url')];
  const certified = await createSelfSignedKey('tokenloop-service-jwt');
  const servicePublicJwk = {
    ...(new X509Certificate(certified.certificatePem).publicKey.export({ format: 'jwk' }) as JWK),
    use: 'sig',
  };

  const clients: ClientMetadata[] = [
    {
      client_id: CLIENT_IDS.native,
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      redirect_uris: [NATIVE_REDIRECT_URI],
      post_logout_redirect_uris: [NATIVE_POST_LOGOUT_REDIRECT_URI],
      response_types: ['code'],
      grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
    },
    {
      client_id: CLIENT_IDS.nativeNoOffline,
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      redirect_uris: [NATIVE_REDIRECT_URI],
      response_types: ['code'],
      grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
      scope: 'openid profile email',
    },
    {
      client_id: CLIENT_IDS.web,
      client_secret: clientSecret,
      application_type: 'web',
      token_endpoint_auth_method: 'client_secret_basic',
      redirect_uris: [WEB_REDIRECT_URI],
      response_types: ['code'],
      grant_types: ['authorization_code', 'refresh_token'],
    },
    {
      client_id: CLIENT_IDS.service,
      client_secret: clientSecret,
      token_endpoint_auth_method: 'client_secret_basic',
      redirect_uris: [],
      response_types: [],
      grant_types: ['client_credentials'],
      scope: API_SCOPES.join(' '),
    },
    {
      client_id: CLIENT_IDS.serviceJwt,
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'RS256',
      jwks: { keys: [servicePublicJwk] },
      redirect_uris: [],
      response_types: [],
      grant_types: ['client_credentials'],
      scope: API_SCOPES.join(' '),
    },
  ];

  const adapter = persistentStorage();
  const tokenRequests: TokenRequestRecord[] = [];
  const events = new EventEmitter();
  let jwksRequests = 0;
  let slowDownBudget = 0;
  let keys: JWK[] = [rsaSigningKey('key-1')];
  let keyCounter = 1;

  function configuration(): Configuration {
    return {
      adapter,
      clients,
      jwks: { keys },
      cookies: { keys: cookieKeys },
      scopes: ['openid', 'offline_access', ...API_SCOPES],
      claims: {
        openid: ['sub'],
        email: ['email', 'email_verified'],
        profile: ['name', 'preferred_username'],
      },
      // Profile and e-mail claims also in the ID token (as Entra and most providers do); by default oidc-provider
      // returns them from userinfo only when an access token is issued (OIDC Core §5.4).
      conformIdTokenClaims: false,
      findAccount(_ctx, sub): Account | undefined {
        const user = findUserBySub(sub);
        if (!user) return undefined;
        return {
          accountId: user.sub,
          claims: () => ({
            sub: user.sub,
            email: user.email,
            email_verified: true,
            name: user.name,
            preferred_username: user.preferredUsername.replace('{issuer}', issuer),
          }),
        };
      },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      pkce: { required: () => true },
      // A refresh token for every client allowed the grant. oidc-provider's default also needs offline_access, but
      // it drops offline_access from any authorization request without prompt=consent (OIDC Core §11), and
      // tokenloop asks for offline_access without prompt=consent.
      issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
      // Every refresh returns a new refresh token and consumes the old one (reuse revokes the grant).
      rotateRefreshToken: true,
      ttl: {
        AccessToken: 3600,
        AuthorizationCode: 60,
        ClientCredentials: 600,
        DeviceCode: 600,
        Grant: 86_400,
        IdToken: 3600,
        Interaction: 600,
        RefreshToken: 86_400,
        Session: 86_400,
      },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        deviceFlow: {
          enabled: true,
          userCodeInputSource(ctx, form, _out, err) {
            const message = err ? '<p id="error">The code was not accepted.</p>' : '';
            ctx.type = 'html';
            ctx.body = html('Enter code', `${message}${form}`);
          },
          userCodeConfirmSource(ctx, form, _client, _deviceInfo, userCode) {
            ctx.type = 'html';
            ctx.body = html('Confirm device', `<p id="user-code">${escapeHtml(userCode)}</p>${form}`);
          },
          successSource(ctx) {
            ctx.type = 'html';
            ctx.body = html('Device signed in', '<p id="done">You can return to your device.</p>');
          },
        },
        rpInitiatedLogout: {
          enabled: true,
          logoutSource(ctx, form) {
            ctx.type = 'html';
            ctx.body = html('Sign out', form);
          },
          postLogoutSuccessSource(ctx) {
            ctx.type = 'html';
            ctx.body = html('Signed out', '');
          },
        },
      },
      renderError(ctx, out) {
        ctx.type = 'html';
        ctx.body = html('Error', `<p id="error">${escapeHtml(String(out.error))}</p>`);
      },
    };
  }

  function makeProvider(): { provider: Provider; handle: ReturnType<Provider['callback']> } {
    const provider = new Provider(issuer, configuration());
    provider.use(async (koa, next) => {
      const ctx = koa as unknown as KoaContextWithOIDC;
      try {
        await next();
      } finally {
        const route = ctx.oidc?.route;
        if (route === 'jwks') jwksRequests++;
        if (route === 'discovery' && !publishScopesSupported)
          delete (ctx.body as Record<string, unknown>).scopes_supported;
        if (route === 'device_authorization' && ctx.status === 200 && deviceInterval !== null) {
          (ctx.body as Record<string, unknown>).interval = deviceInterval;
        }
        if (route === 'token') {
          const params = ctx.oidc.params as { grant_type?: unknown } | undefined;
          const grantType = typeof params?.grant_type === 'string' ? params.grant_type : undefined;
          let body = ctx.body as Record<string, unknown> | undefined;
          if (
            grantType === 'urn:ietf:params:oauth:grant-type:device_code' &&
            body?.error === 'authorization_pending' &&
            slowDownBudget > 0
          ) {
            slowDownBudget--;
            body = {
              error: 'slow_down',
              error_description: 'you are polling too quickly and should back off at a reasonable rate',
            };
            ctx.body = body;
          }
          const record: TokenRequestRecord = {
            grantType,
            clientId: ctx.oidc.client?.clientId,
            status: ctx.status,
            error: typeof body?.error === 'string' ? body.error : undefined,
            issued: ['access_token', 'id_token', 'refresh_token'].filter(
              (name) => typeof body?.[name] === 'string',
            ),
          };
          tokenRequests.push(record);
          events.emit('token', record);
        }
      }
    });
    return { provider, handle: provider.callback() };
  }

  let current = makeProvider();

  async function interaction(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const { provider } = current;
    const [, , uid, action] = path.split('/');
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error('interaction mismatch');
    const page = (status: number, title: string, body: string) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(html(title, body));
    };
    const abortForm = `<form id="abort" method="post" action="/interaction/${uid}/abort"></form>`;
    if (req.method === 'GET' && action === undefined) {
      if (details.prompt.name === 'login') {
        return page(
          200,
          'Sign in',
          `<form id="login" method="post" action="/interaction/${uid}/login"><input name="login"></form>${abortForm}`,
        );
      }
      if (details.prompt.name === 'consent') {
        return page(
          200,
          'Consent',
          `<form id="consent" method="post" action="/interaction/${uid}/confirm"></form>${abortForm}`,
        );
      }
      return page(501, 'Unsupported prompt', escapeHtml(details.prompt.name));
    }
    if (req.method !== 'POST') return page(405, 'Method not allowed', '');
    const form = await readForm(req);
    switch (action) {
      case 'login': {
        const user = findUserByLogin(form.get('login') ?? '');
        if (!user || details.prompt.name !== 'login') return page(400, 'Unknown user', '');
        return provider.interactionFinished(
          req,
          res,
          { login: { accountId: user.sub } },
          { mergeWithLastSubmission: false },
        );
      }
      case 'confirm': {
        if (details.prompt.name !== 'consent') return page(400, 'Not a consent prompt', '');
        const { accountId } = details.session ?? {};
        if (!accountId) return page(400, 'No session', '');
        const grant = details.grantId
          ? await provider.Grant.find(details.grantId)
          : new provider.Grant({ accountId, clientId: String(details.params.client_id) });
        if (!grant) return page(400, 'No grant', '');
        const missing = details.prompt.details as {
          missingOIDCScope?: string[];
          missingOIDCClaims?: string[];
          missingResourceScopes?: Record<string, string[]>;
        };
        if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
        if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
        for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {}))
          grant.addResourceScope(indicator, scopes.join(' '));
        const grantId = await grant.save();
        return provider.interactionFinished(
          req,
          res,
          { consent: { grantId } },
          { mergeWithLastSubmission: true },
        );
      }
      case 'abort':
        return provider.interactionFinished(
          req,
          res,
          { error: 'access_denied', error_description: 'End-User aborted interaction' },
          { mergeWithLastSubmission: false },
        );
      default:
        return page(404, 'Not found', '');
    }
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', issuer).pathname;
    if (path.startsWith('/interaction/')) {
      interaction(req, res, path).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`interaction failed: ${err instanceof Error ? err.message : String(err)}`);
      });
      return;
    }
    void current.handle(req, res);
  });

  const harness: OidcProviderHarness = {
    issuer,
    async metadata() {
      const res = await fetch(`${issuer}/.well-known/openid-configuration`);
      return (await res.json()) as Record<string, unknown>;
    },
    tokenRequests,
    countTokenRequests(filter = {}) {
      return tokenRequests.filter(
        (r) =>
          (filter.grantType === undefined || r.grantType === filter.grantType) &&
          (filter.clientId === undefined || r.clientId === filter.clientId),
      ).length;
    },
    get jwksRequests() {
      return jwksRequests;
    },
    events,
    get signingKid() {
      return keys[0]!.kid!;
    },
    get publishedKids() {
      return keys.map((k) => k.kid!);
    },
    async rotateSigningKey({ keepOld }) {
      keyCounter++;
      const next = rsaSigningKey(`key-${keyCounter}`);
      keys = keepOld ? [next, ...keys] : [next];
      current = makeProvider();
      return next.kid!;
    },
    slowDownDevicePolls(count) {
      slowDownBudget = count;
    },
    serviceCertificate: { privateKey: certified.privateKeyPem, certificate: certified.certificatePem },
    clientSecret,
    browser: () => new ProviderBrowser(issuer),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return harness;
}

/** What the provider redirected the browser to, outside its own origin (the client's redirect URI). */
export interface AuthorizationOutcome {
  /** The redirect URI with the authorization response parameters (`code`, `state`, `iss` or `error`). */
  callback: URL;
  /** The login prompts answered (0 when the session was reused). */
  logins: number;
  consents: number;
}

interface StoredCookie {
  value: string;
  path: string;
}

/**
 * A stand-in for the user's browser: a cookie jar (name + path, for the provider's origin only) and plain
 * fetch with manual redirects; it fills in the provider's sign-in, consent and device pages as a user would.
 */
export class ProviderBrowser {
  private readonly jar = new Map<string, StoredCookie>();
  constructor(private readonly origin: string) {}

  private cookieHeader(url: URL): string | undefined {
    const pairs: string[] = [];
    for (const [name, c] of this.jar) {
      const prefix = c.path.endsWith('/') ? c.path : `${c.path}/`;
      if (url.pathname === c.path || url.pathname.startsWith(prefix)) pairs.push(`${name}=${c.value}`);
    }
    return pairs.length ? pairs.join('; ') : undefined;
  }

  private storeCookies(res: Response, url: URL): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = url.pathname.replace(/\/[^/]*$/, '') || '/';
      let expired = value === '';
      for (const attribute of attributes) {
        const [key = '', v = ''] = attribute.split('=');
        if (key.toLowerCase() === 'path') path = v || '/';
        if (key.toLowerCase() === 'expires' && Date.parse(v) <= Date.now()) expired = true;
        if (key.toLowerCase() === 'max-age' && Number(v) <= 0) expired = true;
      }
      if (expired) this.jar.delete(name);
      else this.jar.set(name, { value, path });
    }
  }

  /** One request to the provider (never to another origin). */
  async request(url: URL, form?: URLSearchParams): Promise<Response> {
    if (url.origin !== this.origin) throw new Error(`the browser stand-in only talks to ${this.origin}`);
    const headers: Record<string, string> = {};
    const cookie = this.cookieHeader(url);
    if (cookie) headers.cookie = cookie;
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(url, {
      method: form ? 'POST' : 'GET',
      headers,
      body: form?.toString(),
      redirect: 'manual',
    });
    this.storeCookies(res, url);
    return res;
  }

  /**
   * Follow an authorization request through the provider: sign in as `user`, consent (or abort), until the
   * provider redirects to a URL outside its origin — which is returned, not fetched.
   */
  async authorize(
    start: URL,
    options: { user: UserName; abortAt?: 'login' | 'consent' },
  ): Promise<AuthorizationOutcome> {
    let url = start;
    let res = await this.request(url);
    let logins = 0;
    let consents = 0;
    for (let hop = 0; hop < 30; hop++) {
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.arrayBuffer();
        const next = new URL(location, url);
        if (next.origin !== this.origin) return { callback: next, logins, consents };
        url = next;
        res = await this.request(url);
        continue;
      }
      const page = await res.text();
      const form = /<form id="(login|consent)" method="post" action="([^"]+)"/.exec(page);
      if (res.status !== 200 || !form) {
        throw new Error(`sign-in stopped at HTTP ${res.status} on ${url.pathname}: ${page.slice(0, 300)}`);
      }
      const prompt = form[1] as 'login' | 'consent';
      if (options.abortAt === prompt) {
        const abort = /<form id="abort" method="post" action="([^"]+)"/.exec(page)!;
        url = new URL(abort[1]!, url);
        res = await this.request(url, new URLSearchParams());
        continue;
      }
      url = new URL(form[2]!, url);
      if (prompt === 'login') {
        logins++;
        res = await this.request(url, new URLSearchParams({ login: USERS[options.user].login }));
      } else {
        consents++;
        res = await this.request(url, new URLSearchParams());
      }
    }
    throw new Error('too many redirects');
  }

  /**
   * Sign in and deliver the authorization response to the (loopback) redirect URI as a browser would: a GET
   * of the redirect. Returns what that page answered.
   */
  async authorizeAndDeliver(
    start: URL,
    options: { user: UserName },
  ): Promise<{ outcome: AuthorizationOutcome; status: number; body: string }> {
    const outcome = await this.authorize(start, options);
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(outcome.callback.hostname))
      throw new Error('refusing to deliver an authorization response off loopback');
    const res = await fetch(outcome.callback, { redirect: 'manual' });
    return { outcome, status: res.status, body: await res.text() };
  }

  /**
   * The device flow's verification page, as the user on the second device: open `verificationUri`, type the
   * user code, then confirm (sign in as `user` and consent) or abort. Returns the title of the last page.
   */
  async verifyDeviceCode(
    verificationUri: string,
    userCode: string,
    options: { user: UserName; abort?: boolean },
  ): Promise<string> {
    let url = new URL(verificationUri);
    let res = await this.request(url);
    const fields = (page: string, id: string): URLSearchParams => {
      const form = new RegExp(`<form id="${id}"[^>]*action="([^"]+)"[^>]*>([\\s\\S]*?)</form>`).exec(page);
      if (!form) throw new Error(`no form ${id} on the device page: ${page.slice(0, 300)}`);
      url = new URL(form[1]!, url);
      const out = new URLSearchParams();
      for (const m of form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g))
        out.set(
          m[1]!,
          m[2]!.replace(/&#(\d+);/g, (_s, n: string) => String.fromCharCode(Number(n))),
        );
      return out;
    };
    const entry = fields(await res.text(), 'op.deviceInputForm');
    entry.set('user_code', userCode);
    res = await this.request(url, entry);
    const confirmPage = await res.text();
    if (res.status !== 200) throw new Error(`device code entry answered HTTP ${res.status}`);
    const confirm = fields(confirmPage, 'op.deviceConfirmForm');
    if (options.abort) {
      confirm.delete('confirm');
      confirm.set('abort', 'yes');
    }
    res = await this.request(url, confirm);
    if (res.status >= 300 && res.status < 400) {
      const outcome = await this.followDevice(res, url, options.user);
      return outcome;
    }
    return /<title>([^<]*)<\/title>/.exec(await res.text())?.[1] ?? '';
  }

  /**
   * RP-initiated logout: open the end-session URL (the provider validates `id_token_hint` and the post-logout
   * redirect URI first), confirm "sign out", and return where the provider redirects to (not fetched).
   */
  async signOut(endSessionUrl: URL): Promise<URL> {
    let url = endSessionUrl;
    let res = await this.request(url);
    const page = await res.text();
    if (res.status !== 200) throw new Error(`end session answered HTTP ${res.status}: ${page.slice(0, 300)}`);
    const form =
      /<form id="op.logoutForm" method="post" action="([^"]+)"><input type="hidden" name="xsrf" value="([^"]+)"\/>/.exec(
        page,
      );
    if (!form) throw new Error(`no sign-out form: ${page.slice(0, 300)}`);
    url = new URL(form[1]!, url);
    res = await this.request(url, new URLSearchParams({ xsrf: form[2]!, logout: 'yes' }));
    await res.arrayBuffer();
    const location = res.headers.get('location');
    if (res.status !== 303 || !location) throw new Error(`sign-out confirmation answered HTTP ${res.status}`);
    return new URL(location, url);
  }

  private async followDevice(first: Response, from: URL, user: UserName): Promise<string> {
    let res = first;
    let url = from;
    for (let hop = 0; hop < 30; hop++) {
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.arrayBuffer();
        url = new URL(location, url);
        res = await this.request(url);
        continue;
      }
      const page = await res.text();
      const form = /<form id="(login|consent)" method="post" action="([^"]+)"/.exec(page);
      if (!form) return /<title>([^<]*)<\/title>/.exec(page)?.[1] ?? `HTTP ${res.status}`;
      url = new URL(form[2]!, url);
      res = await this.request(
        url,
        form[1] === 'login' ? new URLSearchParams({ login: USERS[user].login }) : new URLSearchParams(),
      );
    }
    throw new Error('too many redirects');
  }
}
