// Every entry point asks for Node's types: TypeScript 6+ loads none unless asked (test/packaging-types.test.ts).
/// <reference types="node" preserve="true" />
// tokenloop/azure: tokenloop as an Azure SDK credential — a TokenCredential (@azure/core-auth, matched
// structurally: no Azure package is needed) over a TokenClient, or over what `tokenloop login` signed in.
// This file only re-exports.
export {
  createTokenCredential,
  type TokenCredentialOptions,
  type TokenloopCredential,
} from './token-credential.js';
export { createCliCredential, type CliCredentialOptions } from './cli-credential.js';
export {
  CredentialUnavailableError,
  AuthenticationError,
  type AzureErrorResponse,
  AZURE_ERROR_KINDS,
} from './errors.js';
export type { AccessToken, GetTokenOptions, TokenCredential, AbortSignalLike } from './types.js';
