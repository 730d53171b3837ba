// Every entry point asks for Node's types: TypeScript 6+ loads none unless asked (test/packaging-types.test.ts).
/// <reference types="node" preserve="true" />
// tokenloop/validation: ID-token verification and provider key sets, usable on their own. This file only re-exports.
export { validateIdToken } from './id-token.js';
export type { IdTokenExpectations } from './id-token.js';
export { createKeySet, ASYMMETRIC_ALGORITHMS } from './key-set.js';
export type { KeySet, KeySetOptions } from './key-set.js';
// The leeway rule @tokenloop/web's bearer verifier shares with the library (S215).
export { clockToleranceSeconds } from './clock-tolerance.js';
