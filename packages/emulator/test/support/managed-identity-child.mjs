// The client side of the managed identity tests, in a Node process of its own whose environment is what an app on
// Azure finds (IDENTITY_ENDPOINT and IDENTITY_HEADER on App Service; AZURE_POD_IDENTITY_AUTHORITY_HOST in place of
// IMDS's 169.254.169.254; AZURE_CLIENT_ID for DefaultAzureCredential's user-assigned identity) and nothing else:
// the credentials are built as their documentation shows, with no option pointing at the emulator. The cases (which
// credential, which identity option, which scope) arrive in argv; each token is asked for twice (the second must
// come from the client's cache). Results go back over IPC: the token's claims and whether its signature verifies
// against the emulator's keys, never the token itself, and every address the process connected to.
import { subscribe } from 'node:diagnostics_channel';
import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { ManagedIdentityApplication } from '@azure/msal-node';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';

const connections = new Set();
subscribe('net.client.socket', ({ socket }) => {
  socket.once('connect', () => connections.add(`${socket.remoteAddress}:${socket.remotePort}`));
});

const { jwksUrl, cases } = JSON.parse(process.argv[2]);
const keys = createRemoteJWKSet(new URL(jwksUrl));

/** A token getter for one case: @azure/identity's credentials take scopes, msal-node's application a resource. */
function getter(c) {
  if (c.client === 'msal-node') {
    const app = new ManagedIdentityApplication({ managedIdentityIdParams: c.options ?? {} });
    const resource = c.scope.replace(/\/\.default$/, '');
    return async () => {
      const r = await app.acquireToken({ resource });
      return { token: r.accessToken, expiresOn: r.expiresOn.getTime() };
    };
  }
  const credential =
    c.client === 'DefaultAzureCredential'
      ? new DefaultAzureCredential()
      : new ManagedIdentityCredential(c.options ?? {});
  return async () => {
    const t = await credential.getToken(c.scope);
    return { token: t.token, expiresOn: t.expiresOnTimestamp };
  };
}

const results = [];
for (const c of cases) {
  try {
    const get = getter(c);
    const first = await get();
    const second = await get();
    let verified = true;
    try {
      await jwtVerify(first.token, keys);
    } catch {
      verified = false;
    }
    results.push({
      label: c.label,
      claims: decodeJwt(first.token),
      expiresOn: first.expiresOn,
      verified,
      secondFromCache: second.token === first.token,
    });
  } catch (err) {
    results.push({ label: c.label, error: `${err?.name}: ${err?.message}` });
  }
}
// Kept-alive connections would hold the process open for seconds: it is done once the report is sent.
process.send({ results, connections: [...connections] }, () => process.exit(0));
