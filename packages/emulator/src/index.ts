// Every entry point asks for Node's types: TypeScript 6+ loads none unless asked (test/packaging-types.test.ts).
/// <reference types="node" preserve="true" />
/**
 * @tokenloop/emulator — a local, Entra-compatible identity platform for development, tests and CI.
 * @packageDocumentation
 */
export type { DirectorySummary } from './admin/operations.js';
export { EmulatorError } from './errors/emulator-error.js';
export { LinesError } from './errors/lines-error.js';
export type { EmulatorSettings } from './context.js';
export type { App, ManagedIdentity, Scenarios, Tenant, User } from './directory/model.js';
export { SAMPLE_IDS, SAMPLE_SECRETS } from './directory/sample.js';
export type { AppInput, ConfigFile, ConfigInput, UserInput } from './directory/schema.js';
export type { CertifiedKey } from './keys/certificates.js';
export { createSelfSignedKey } from './keys/create-key.js';
export { thumbprints } from './keys/thumbprints.js';
export { EmulatorOptionsError } from './errors/emulator-options-error.js';
export { defaultDataDir, type EmulatorOptions, remoteHostRefusal } from './options.js';
export type { RunningEmulator } from './running-emulator.js';
export { startEmulator } from './start.js';
export type { CiToken, CiTokenRequest } from './federation/local-issuer.js';
