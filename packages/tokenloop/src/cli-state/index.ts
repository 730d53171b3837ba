// Every entry point asks for Node's types: TypeScript 6+ loads none unless asked (test/packaging-types.test.ts).
/// <reference types="node" preserve="true" />
// tokenloop/cli-state: what the tokenloop command keeps — where (TOKENLOOP_HOME or the XDG folders), the
// profiles file and which profile is in use, the token cache, a profile's CA and default account. The one place
// for these rules (S106): the command line (@tokenloop/cli) and tokenloop/azure's CLI credential both use it.
// This file only re-exports.
export { type CliPaths, cliAgentSocket, cliPaths, cliConfigFile, cliCachePath } from './paths.js';
export {
  type Profile,
  type ProfilesFile,
  readProfiles,
  readProfilesSync,
  profileInUse,
} from './profiles-file.js';
export { readProfileCa, readProfileCaSync } from './profile-ca.js';
export { type ProfileAccount, profileAccount } from './profile-account.js';
