// Every entry point asks for Node's types: TypeScript 6+ loads none unless asked (test/packaging-types.test.ts).
/// <reference types="node" preserve="true" />
/**
 * `@tokenloop/emulator/sample-ids`: the built-in sample directory's ids and secrets alone, without loading the
 * emulator (S165: programs that point at an emulator take its sample ids from here, never from a copy).
 * @packageDocumentation
 */
export { SAMPLE_IDS, SAMPLE_SECRETS } from './directory/sample.js';
