// The msal-node peer of `tokenloop token` for the CLI bench: a script as its users write it — a public client
// whose token cache persists in a JSON file through a cache plugin (msal-node's documented way), one
// acquireTokenSilent for the cached account, the token on stdout. Authority metadata is given in the config so
// that msal-node makes no network request (the most favourable set-up for it).
// Usage: cli-msal-token.mjs <cacheFile> <authority> <clientId> <metadataFile>
import { readFileSync, writeFileSync } from 'node:fs';
import { PublicClientApplication } from '@azure/msal-node';

const [cacheFile, authority, clientId, metadataFile] = process.argv.slice(2);
const metadata = JSON.parse(readFileSync(metadataFile, 'utf8'));
const cachePlugin = {
  async beforeCacheAccess(context) {
    context.tokenCache.deserialize(readFileSync(cacheFile, 'utf8'));
  },
  async afterCacheAccess(context) {
    if (context.cacheHasChanged) writeFileSync(cacheFile, context.tokenCache.serialize(), { mode: 0o600 });
  },
};
const app = new PublicClientApplication({
  auth: {
    clientId,
    authority,
    knownAuthorities: [new URL(authority).host],
    authorityMetadata: JSON.stringify(metadata.authority),
    cloudDiscoveryMetadata: JSON.stringify(metadata.cloud),
  },
  cache: { cachePlugin },
});
const [account] = await app.getTokenCache().getAllAccounts();
const result = await app.acquireTokenSilent({ account, scopes: ['https://graph.microsoft.com/User.Read'] });
process.stdout.write(`${result.accessToken}\n`);
