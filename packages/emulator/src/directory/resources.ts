import type { App, Directory } from './model.js';

/** A resource (API) tokens can be issued for. */
export interface Resource {
  appId: string;
  name: string;
  /** Identifiers a client may use in `scope` (App ID URIs and aliases, and the app id). */
  identifiers: string[];
  scopes: { value: string; description: string }[];
  roles: { value: string; description: string }[];
  accessTokenVersion: 1 | 2;
  /** The app registration, for resources registered in the directory. */
  app?: App;
}

export const GRAPH_RESOURCE = 'https://graph.microsoft.com';
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
export const OUTLOOK_RESOURCE = 'https://outlook.office.com';

const GRAPH: Resource = {
  appId: GRAPH_APP_ID,
  name: 'Microsoft Graph',
  identifiers: [GRAPH_RESOURCE, 'https://graph.microsoft.com/', GRAPH_APP_ID],
  scopes: [
    { value: 'User.Read', description: 'Sign you in and read your profile' },
    { value: 'User.ReadBasic.All', description: "Read all users' basic profiles" },
    { value: 'User.Read.All', description: "Read all users' full profiles" },
    { value: 'Mail.Read', description: 'Read your mail' },
    { value: 'Mail.Send', description: 'Send mail as you' },
    { value: 'Calendars.Read', description: 'Read your calendars' },
    { value: 'Files.Read', description: 'Read your files' },
  ],
  roles: [
    { value: 'User.Read.All', description: "Read all users' full profiles" },
    { value: 'Mail.Read', description: 'Read mail in all mailboxes' },
  ],
  accessTokenVersion: 1,
};

const OUTLOOK: Resource = {
  appId: '00000002-0000-0ff1-ce00-000000000000',
  name: 'Office 365 Exchange Online',
  identifiers: [OUTLOOK_RESOURCE, 'https://outlook.office365.com', '00000002-0000-0ff1-ce00-000000000000'],
  scopes: [
    { value: 'IMAP.AccessAsUser.All', description: 'Read and write access to your mailboxes via IMAP' },
    { value: 'POP.AccessAsUser.All', description: 'Read and write access to your mailboxes via POP' },
    { value: 'SMTP.Send', description: 'Send emails from your mailboxes using SMTP AUTH' },
    { value: 'EWS.AccessAsUser.All', description: 'Access your mailboxes via Exchange Web Services' },
  ],
  roles: [
    { value: 'IMAP.AccessAsApp', description: 'IMAP access to all mailboxes' },
    { value: 'POP.AccessAsApp', description: 'POP access to all mailboxes' },
    { value: 'SMTP.SendAsApp', description: 'Send mail from all mailboxes' },
  ],
  accessTokenVersion: 1,
};

/**
 * Azure Resource Manager, as the Azure CLI and the Azure SDKs ask for it: its App ID URIs end in a slash
 * (`https://management.core.windows.net//.default`), and the token's `aud` keeps the one the client used.
 */
const AZURE_MANAGEMENT: Resource = {
  appId: '797f4846-ba00-4fd7-ba43-dac1f8f63013',
  name: 'Windows Azure Service Management API',
  identifiers: [
    'https://management.core.windows.net/',
    'https://management.azure.com/',
    'https://management.core.windows.net',
    'https://management.azure.com',
    '797f4846-ba00-4fd7-ba43-dac1f8f63013',
  ],
  scopes: [{ value: 'user_impersonation', description: 'Access Azure Service Management as you' }],
  roles: [],
  accessTokenVersion: 1,
};

const cache = new WeakMap<
  Directory,
  { apps: number; resources: Resource[]; byIdentifier: Map<string, Resource> }
>();

/** Built-in Microsoft resources plus every API app registered in the directory (recomputed when apps are added). */
export function listResources(dir: Directory): Resource[] {
  const cached = cache.get(dir);
  if (cached && cached.apps === dir.apps.size) return cached.resources;
  const out = [GRAPH, OUTLOOK, AZURE_MANAGEMENT];
  for (const app of dir.apps.values()) {
    if (!app.appIdUri && app.exposedScopes.length === 0 && app.appRoles.length === 0) continue;
    out.push({
      appId: app.clientId,
      name: app.name,
      identifiers: [...(app.appIdUri ? [app.appIdUri] : []), app.clientId],
      scopes: app.exposedScopes,
      roles: app.appRoles,
      accessTokenVersion: app.accessTokenVersion,
      app,
    });
  }
  // Lower-cased identifier → resource (the first one listing it), so lookups on the token path are one get.
  const byIdentifier = new Map<string, Resource>();
  for (const r of out)
    for (const id of r.identifiers)
      if (!byIdentifier.has(id.toLowerCase())) byIdentifier.set(id.toLowerCase(), r);
  cache.set(dir, { apps: dir.apps.size, resources: out, byIdentifier });
  return out;
}

export function findResource(dir: Directory, identifier: string): Resource | undefined {
  listResources(dir);
  return cache.get(dir)!.byIdentifier.get(identifier.toLowerCase());
}

/** The canonical identifier used to fully qualify scope names (`https://graph.microsoft.com/User.Read`). */
export function canonicalIdentifier(r: Resource): string {
  return r.identifiers[0]!;
}
