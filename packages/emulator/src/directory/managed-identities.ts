import { DirectoryConfigError } from '../errors/directory-config-error.js';
import { stableGuid } from './ids.js';
import { type Directory, GUID_PATTERN, type ManagedIdentities, type ManagedIdentity } from './model.js';
import type { ManagedIdentitiesInput, ManagedIdentityInput } from './schema.js';

const NAME = '[A-Za-z0-9][A-Za-z0-9._()-]*';
/** `/subscriptions/{id}/resourceGroups/{group}/providers/{namespace}/{type}/{name}`, as ARM writes resource IDs. */
const RESOURCE_ID = new RegExp(
  `^/subscriptions/(${GUID_PATTERN})/resourcegroups/(${NAME})/providers/([A-Za-z0-9.]+)/([A-Za-z0-9]+)/(${NAME})$`,
  'i',
);
const USER_ASSIGNED_TYPE = 'Microsoft.ManagedIdentity/userAssignedIdentities';
const DEFAULT_HOST_TYPE = 'Microsoft.Compute/virtualMachines';
const DEFAULT_RESOURCE_GROUP = 'tokenloop';

function tenantOf(dir: Directory, ref: string | undefined, what: string): string {
  if (ref === undefined) {
    const first = dir.tenants.values().next().value;
    if (!first) throw new DirectoryConfigError(`${what}: no tenant to put it in`);
    return first.id;
  }
  const lower = ref.toLowerCase();
  for (const t of dir.tenants.values()) if (t.id === lower || t.domain.toLowerCase() === lower) return t.id;
  throw new DirectoryConfigError(`${what}: unknown tenant '${ref}'`);
}

/** S119: the resource ID given, checked (an ARM ID of the right type, ending in the identity's name), or derived. */
function resourceIdOf(
  m: ManagedIdentityInput,
  kind: ManagedIdentity['kind'],
  tenantId: string,
  what: string,
): string {
  if (m.resourceId === undefined) {
    const subscription = (m.subscriptionId ?? stableGuid(`subscription:${tenantId}`)).toLowerCase();
    const group = m.resourceGroup ?? DEFAULT_RESOURCE_GROUP;
    const type = kind === 'user-assigned' ? USER_ASSIGNED_TYPE : DEFAULT_HOST_TYPE;
    return `/subscriptions/${subscription}/resourceGroups/${group}/providers/${type}/${m.name}`;
  }
  if (m.subscriptionId !== undefined || m.resourceGroup !== undefined) {
    throw new DirectoryConfigError(
      `${what}: give either resourceId or subscriptionId and resourceGroup, not both`,
    );
  }
  const match = RESOURCE_ID.exec(m.resourceId);
  const expected =
    kind === 'user-assigned'
      ? `/subscriptions/{subscription id}/resourceGroups/{group}/providers/${USER_ASSIGNED_TYPE}/${m.name}`
      : `/subscriptions/{subscription id}/resourceGroups/{group}/providers/{namespace}/{type}/${m.name}`;
  if (
    !match ||
    match[5]!.toLowerCase() !== m.name.toLowerCase() ||
    (kind === 'user-assigned' && `${match[3]}/${match[4]}`.toLowerCase() !== USER_ASSIGNED_TYPE.toLowerCase())
  ) {
    throw new DirectoryConfigError(`${what}: resourceId must look like ${expected}`);
  }
  return m.resourceId;
}

function buildIdentity(
  dir: Directory,
  m: ManagedIdentityInput,
  kind: ManagedIdentity['kind'],
): ManagedIdentity {
  const what = `managed identity ${m.name}`;
  const tenantId = tenantOf(dir, m.tenant, what);
  const seed = `${kind}:${tenantId}:${m.name.toLowerCase()}`;
  return {
    kind,
    name: m.name,
    tenantId,
    clientId: (m.clientId ?? stableGuid(`mi-client:${seed}`)).toLowerCase(),
    principalId: (m.principalId ?? stableGuid(`mi-principal:${seed}`)).toLowerCase(),
    resourceId: resourceIdOf(m, kind, tenantId, what),
    applicationPermissions: m.applicationPermissions ?? {},
  };
}

/**
 * S119: the identities of the config, each id naming one thing only. A client id is an app id in the tenant
 * and a principal id an object id, so neither may be another identity's, an app's or a user's; a resource ID
 * names one identity. A request selecting by any of them then finds exactly one identity (S117).
 */
export function buildManagedIdentities(
  dir: Directory,
  input: ManagedIdentitiesInput | undefined,
): ManagedIdentities {
  const out: ManagedIdentities = {
    userAssigned: [],
    ...(input?.identityHeader !== undefined ? { identityHeader: input.identityHeader } : {}),
  };
  if (!input) return out;
  if (input.systemAssigned) out.systemAssigned = buildIdentity(dir, input.systemAssigned, 'system-assigned');
  for (const m of input.userAssigned ?? []) out.userAssigned.push(buildIdentity(dir, m, 'user-assigned'));
  const seen = new Map<string, string>();
  const claim = (value: string, owner: string): void => {
    const key = value.toLowerCase();
    const other = seen.get(key);
    if (other !== undefined) throw new DirectoryConfigError(`${owner} (${value}) is already ${other}`);
    seen.set(key, owner);
  };
  for (const app of dir.apps.values()) claim(app.clientId, `the client id of app ${app.name}`);
  for (const user of dir.users.values()) claim(user.id, `the object id of user ${user.username}`);
  for (const m of [...(out.systemAssigned ? [out.systemAssigned] : []), ...out.userAssigned]) {
    const what = `managed identity ${m.name}`;
    claim(m.clientId, `the client id of ${what}`);
    claim(m.principalId, `the principal id of ${what}`);
    claim(m.resourceId, `the resource ID of ${what}`);
  }
  return out;
}
