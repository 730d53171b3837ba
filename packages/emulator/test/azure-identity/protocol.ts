/**
 * Messages between the @azure/identity tests (the parent, which owns the emulator and drives Chromium) and the
 * identity driver (driver.mjs, a child Node process whose environment carries NODE_EXTRA_CA_CERTS and, for
 * EnvironmentCredential and DefaultAzureCredential, the AZURE_* configuration). Tokens never cross this channel:
 * only non-secret claims, expiry times, and what the child connected to and started.
 */

/** Where a credential's options point: every credential the tests build in code gets these two. */
interface Authority {
  tenantId: string;
  clientId: string;
  /** The emulator's URL (https), `authorityHost` of the credential. */
  authorityHost: string;
}

/** A credential as the driver creates it, with the options @azure/identity documents for it. */
export type CredentialSpec =
  | ({ kind: 'ClientSecretCredential'; clientSecret: string } & Authority)
  | ({
      kind: 'ClientCertificateCredential';
      /** Certificate and private key in one PEM, as `{ certificate }` takes it. */
      certificatePem: string;
      sendCertificateChain?: boolean;
    } & Authority)
  | ({ kind: 'UsernamePasswordCredential'; username: string; password: string } & Authority)
  /** The external (CI, Kubernetes) token read from this file, as AZURE_FEDERATED_TOKEN_FILE names it. */
  | ({ kind: 'WorkloadIdentityCredential'; tokenFilePath: string } & Authority)
  | ({
      kind: 'OnBehalfOfCredential';
      clientSecret: string;
      /** The user's token comes from this credential (created earlier), asked for these scopes. */
      userAssertionFrom: { credential: string; scopes: string[] };
    } & Authority)
  /** Without `tenantId` and `clientId`, @azure/identity's defaults: `organizations` and the Azure CLI's app. */
  | ({ kind: 'DeviceCodeCredential'; disableAutomaticAuthentication?: boolean } & Partial<Authority> &
      Pick<Authority, 'authorityHost'>)
  | ({ kind: 'InteractiveBrowserCredential'; redirectUri?: string } & Partial<Authority> &
      Pick<Authority, 'authorityHost'>)
  /**
   * Configured by the process environment alone. `options`: `documented` builds it as docs/azure-sdk.md shows
   * (instance discovery off when AZURE_AUTHORITY_HOST is on this machine, a setting @azure/identity reads from no
   * environment variable); `none` with no options at all.
   */
  | { kind: 'EnvironmentCredential' | 'DefaultAzureCredential'; options: 'documented' | 'none' };

export type Operation =
  | { op: 'create'; name: string; credential: CredentialSpec }
  | { op: 'getToken'; name: string; scopes: string[] }
  /** `credential.authenticate(scopes)` (CAE-enabled); resolves with no value. */
  | { op: 'authenticate'; name: string; scopes: string[] }
  /**
   * GET `url` through @azure/core-rest-pipeline's bearer policy with the named credential (one pipeline per
   * credential, kept): resolves with no value on a 200, fails `ApiStatusError` otherwise.
   */
  | { op: 'callApi'; name: string; scopes: string[]; url: string };

/** What one getToken returned, without the token. */
export interface TokenSummary {
  tokenType: string | undefined;
  expiresOnTimestamp: number;
  refreshAfterTimestamp: number | undefined;
  /** Non-secret claims of the access token (it is a JWT from the emulator). */
  claims: Record<string, unknown>;
  header: Record<string, unknown>;
}

/** What the driver saw the process do during one operation. */
export interface Observed {
  /** Origin (`https://host:port`) of every HTTP request the process made. */
  requests: string[];
  /** Programs the process started (the browser opener for InteractiveBrowserCredential). */
  spawned: string[];
}

export interface DriverError {
  name: string;
  message: string;
}

/** `exit`: end the process (a parent's `disconnect()` would keep the child's 'close' event from ever firing). */
export type ParentMessage = ({ type: 'call'; id: number } & Operation) | { type: 'exit' };

export type ChildMessage =
  | { type: 'ready' }
  | { type: 'result'; id: number; ok: true; value: TokenSummary | null; observed: Observed }
  | { type: 'result'; id: number; ok: false; error: DriverError; observed: Observed }
  | { type: 'deviceCode'; id: number; userCode: string; verificationUri: string; message: string };
