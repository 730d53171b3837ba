import type { EmulatorContext } from '../context.js';
import { DirectoryConfigError } from '../errors/directory-config-error.js';
import { parseCiTokenRequest } from '../federation/ci-token-request.js';
import { mintCiToken } from '../federation/local-issuer.js';
import { readBody } from '../http/request.js';
import { sendJson, sendPage } from '../http/respond.js';
import type { Exchange } from '../http/route.js';
import { adminPage } from '../pages/index.js';
import { refuseAdminRequest } from './guard.js';
import {
  addApp,
  addCertificate,
  addTenant,
  addUser,
  parseScenarios,
  setScenarios,
  summarizeApp,
  summarizeDirectory,
} from './operations.js';
import { revokeUserGrants } from './revoke.js';

async function jsonBody(x: Exchange): Promise<unknown> {
  const text = await readBody(x.req);
  try {
    return JSON.parse(text);
  } catch {
    throw new DirectoryConfigError('the request body must be JSON');
  }
}

type Schemas = typeof import('../directory/schema.js');

/** Validates a JSON body against one of the directory schemas (loaded on first use). */
async function parsed<K extends 'tenantInput' | 'appInput' | 'userInput'>(
  name: K,
  value: unknown,
): Promise<import('zod').infer<Schemas[K]>> {
  const schemas: Schemas = await import('../directory/schema.js');
  const r = schemas[name].safeParse(value);
  if (!r.success) throw new DirectoryConfigError(schemas.describeIssues(r.error).join('; '));
  return r.data as import('zod').infer<Schemas[K]>;
}

/**
 * `/_emulator/…` — admin page, stats, and a small REST API to inspect and change the directory at runtime;
 * see refuseAdminRequest for who may call it. A change refused (DirectoryConfigError, DirectoryFullError) is
 * answered by the listener, as errors/http-answer.ts says: 400, or 409 for a directory at a bound (S93).
 */
export async function admin(ctx: EmulatorContext, x: Exchange): Promise<void> {
  const refusal = refuseAdminRequest(ctx, x);
  if (refusal) {
    sendJson(x.res, refusal.status, { error: refusal.error, error_description: refusal.description });
    return;
  }
  const path = x.path.replace(/^\/_emulator/, '').replace(/\/$/, '') || '/';
  const route = `${x.method} ${path}`;
  await dispatch(ctx, x, route);
}

/** A path segment, percent-decoded; malformed encoding is the caller's error. */
function segment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new DirectoryConfigError('malformed percent-encoding in the path');
  }
}

async function dispatch(ctx: EmulatorContext, x: Exchange, route: string): Promise<void> {
  const summary = () => summarizeDirectory(ctx);
  switch (route) {
    case 'GET /':
      sendPage(x.res, 200, adminPage({ url: ctx.url, ...pageData(ctx) }));
      return;
    case 'GET /stats':
      sendJson(x.res, 200, ctx.state.stats.toJSON(), { 'Cache-Control': 'no-store' });
      return;
    case 'POST /stats/reset':
    case 'DELETE /stats':
      ctx.state.stats.reset();
      sendJson(x.res, 200, ctx.state.stats.toJSON());
      return;
    case 'GET /api/directory':
      sendJson(x.res, 200, { url: ctx.url, ...summary() });
      return;
    case 'GET /api/tenants':
      sendJson(x.res, 200, summary().tenants);
      return;
    case 'GET /api/apps':
      sendJson(x.res, 200, summary().apps);
      return;
    case 'GET /api/users':
      sendJson(x.res, 200, summary().users);
      return;
    case 'GET /api/sessions':
      sendJson(x.res, 200, pageData(ctx).sessions);
      return;
    case 'GET /api/tokens':
      sendJson(x.res, 200, pageData(ctx).tokens);
      return;
    case 'POST /api/tenants':
      sendJson(x.res, 201, addTenant(ctx, await parsed('tenantInput', await jsonBody(x))));
      return;
    case 'POST /api/apps':
      sendJson(x.res, 201, summarizeApp(addApp(ctx, await parsed('appInput', await jsonBody(x)))));
      return;
    case 'POST /api/users': {
      const u = addUser(ctx, await parsed('userInput', await jsonBody(x)));
      sendJson(x.res, 201, { id: u.id, username: u.username, tenantId: u.tenantId });
      return;
    }
    case 'POST /api/federated-tokens':
      // S137: a CI token of one of the emulator's own external issuers (workload identity federation).
      sendJson(x.res, 201, await mintCiToken(ctx, parseCiTokenRequest(await jsonBody(x))), {
        'Cache-Control': 'no-store',
      });
      return;
    case 'POST /api/keys/rotate': {
      const key = await ctx.keys.rotate();
      sendJson(x.res, 200, { kid: key.kid, published: ctx.keys.published().map((k) => k.kid) });
      return;
    }
  }
  let m = /^(PUT|PATCH) \/api\/(users|apps)\/([^/]+)\/scenarios$/.exec(route);
  if (m) {
    const scenarios = await parseScenarios(await jsonBody(x));
    const ref = segment(m[3]!);
    setScenarios(ctx, m[2] === 'users' ? { user: ref } : { app: ref }, scenarios);
    sendJson(x.res, 200, scenarios);
    return;
  }
  m = /^POST \/api\/apps\/([^/]+)\/certificates$/.exec(route);
  if (m) {
    const body = (await jsonBody(x)) as { certificatePem?: unknown };
    if (typeof body?.certificatePem !== 'string')
      throw new DirectoryConfigError('certificatePem is required');
    addCertificate(ctx, segment(m[1]!), body.certificatePem);
    sendJson(x.res, 201, { ok: true });
    return;
  }
  m = /^POST \/api\/users\/([^/]+)\/revoke$/.exec(route);
  if (m) {
    sendJson(x.res, 200, { revoked: revokeUserGrants(ctx, segment(m[1]!)) });
    return;
  }
  sendJson(x.res, 404, { error: 'not_found', error_description: `No admin route ${route.slice(0, 80)}` });
}

function pageData(ctx: EmulatorContext) {
  const d = summarizeDirectory(ctx);
  return {
    tenants: d.tenants,
    apps: d.apps.map((a) => ({
      clientId: a.clientId,
      name: a.name,
      type: a.type,
      tenantId: a.tenantId,
      redirectUris: a.redirectUris,
    })),
    users: [...ctx.directory.users.values()].map((u) => ({
      username: u.username,
      displayName: u.displayName,
      tenantId: u.tenantId,
      scenarios: Object.entries(u.scenarios)
        .filter(([, v]) => v)
        .map(([k, v]) => (v === true ? k : `${k}=${v}`)),
    })),
    sessions: [...ctx.state.sessions.values()].map((s) => ({
      id: `${s.id.slice(0, 6)}…`,
      username: s.users.map((u) => ctx.directory.users.get(u.userId)?.username ?? u.userId).join(', '),
      createdAt: new Date(s.createdAt).toISOString(),
    })),
    tokens: [...ctx.state.accessTokens.values()].slice(-200).map((t) => ({
      kind: t.kind,
      clientId: t.clientId,
      subject: t.subject,
      expiresAt: new Date(t.expiresAt).toISOString(),
      preview: t.preview,
    })),
    stats: ctx.state.stats.toJSON().token_requests,
  };
}
