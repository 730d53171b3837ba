// Every entry point asks for Node's types: TypeScript 6+ loads none unless asked (test/packaging-types.test.ts).
/// <reference types="node" preserve="true" />
// tokenloop/errors: the library's error classes and their classification alone, without loading the rest of the
// library (a program's error reporting can know them by class at start-up cost of one small module).
export {
  TokenloopError,
  OAuthError,
  TenantMismatchError,
  isTransient,
  needsSignIn,
} from './errors/errors.js';
export type { OAuthErrorDetails } from './errors/errors.js';
export type { ErrorCode, ErrorClass, ErrorReason } from './errors/codes.js';
