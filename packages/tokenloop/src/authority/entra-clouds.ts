/**
 * Microsoft Entra clouds: the sign-in hosts, their aliases (tokens and caches issued under one alias are
 * valid for all of them), and the matching Graph host. Source: Microsoft identity platform docs on national
 * clouds and MSAL's instance-discovery metadata.
 */
export interface EntraCloud {
  name: 'public' | 'usgov' | 'china';
  /** The host to send requests to. */
  host: string;
  /** Hosts that mean the same cloud (cache environment aliases). */
  aliases: string[];
  graphHost: string;
  /** Exchange Online host for mail scopes. */
  outlookHost: string;
  /** The host in the issuer of v1 access tokens (`https://STS/{tid}/`). */
  stsHost: string;
}

export const ENTRA_CLOUDS: readonly EntraCloud[] = [
  {
    name: 'public',
    host: 'login.microsoftonline.com',
    aliases: ['login.microsoftonline.com', 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'],
    graphHost: 'graph.microsoft.com',
    outlookHost: 'outlook.office.com',
    stsHost: 'sts.windows.net',
  },
  {
    name: 'usgov',
    host: 'login.microsoftonline.us',
    aliases: ['login.microsoftonline.us', 'login.usgovcloudapi.net'],
    graphHost: 'graph.microsoft.us',
    outlookHost: 'outlook.office365.us',
    stsHost: 'sts.windows.net',
  },
  {
    name: 'china',
    host: 'login.chinacloudapi.cn',
    aliases: ['login.chinacloudapi.cn', 'login.partner.microsoftonline.cn'],
    graphHost: 'microsoftgraph.chinacloudapi.cn',
    outlookHost: 'partner.outlook.cn',
    stsHost: 'sts.chinacloudapi.cn',
  },
];

/** The cloud a host belongs to (by any alias), or undefined for a non-Microsoft host. */
export function entraCloudOfHost(host: string): EntraCloud | undefined {
  const h = host.toLowerCase();
  return ENTRA_CLOUDS.find((c) => c.aliases.includes(h));
}

/** Short names accepted for `cloud` options and AZURE_AUTHORITY_HOST values. */
export function entraCloudByName(name: string): EntraCloud | undefined {
  const n = name
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/$/, '');
  const byName: Record<string, EntraCloud['name']> = {
    public: 'public',
    azurepubliccloud: 'public',
    usgov: 'usgov',
    azureusgovernment: 'usgov',
    china: 'china',
    azurechinacloud: 'china',
  };
  const cloud = byName[n];
  return cloud ? ENTRA_CLOUDS.find((c) => c.name === cloud) : entraCloudOfHost(n);
}

/**
 * The issuer of a tenant's v1 access tokens (S60): `https://STS/{tid}/` on Microsoft's clouds (`sts.windows.net`,
 * `sts.chinacloudapi.cn`), `{authority origin}/{tid}/` on an Entra-compatible server such as the emulator.
 * `tenantId` must already be the checked tenant of the token: this only builds the string.
 */
export function entraV1Issuer(
  authority: { url: string; cloud: EntraCloud | undefined },
  tenantId: string,
): string {
  const origin = authority.cloud ? `https://${authority.cloud.stsHost}` : new URL(authority.url).origin;
  return `${origin}/${tenantId}/`;
}
