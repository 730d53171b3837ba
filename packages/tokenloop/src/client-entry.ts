// Every entry point asks for Node's types: TypeScript 6+ loads none unless asked (test/packaging-types.test.ts).
/// <reference types="node" preserve="true" />
// tokenloop/client: the client and the encrypted file store, without the rest of the public surface — for
// programs that start often and mostly read the cache (the tokenloop CLI's `token`). This file only re-exports.
export { createTokenClient } from './client/create-client.js';
export type { TokenClient, SilentOptions, AccountSelector } from './client/create-client.js';
export type { TokenClientOptions } from './model/client-options.js';
export type { AuthResult } from './client/auth-result.js';
export { encryptedFileStore } from './cache/stores/encrypted-file-store.js';
export { encryptedFileSnapshot, encryptedFileSnapshotSources } from './cache/stores/file-snapshot.js';
export type { CacheStore } from './model/cache-store.js';
export { nextFreshnessChangeIn } from './cache/freshness.js';
// The RFC 6750 bearer-token syntax, the one rule for every package that reads or writes a token (issue 16).
export { isBearerTokenSyntax, MAX_TOKEN_LENGTH } from './model/token-syntax.js';
