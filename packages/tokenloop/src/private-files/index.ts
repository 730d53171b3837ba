// Every entry point asks for Node's types: TypeScript 6+ loads none unless asked (test/packaging-types.test.ts).
/// <reference types="node" preserve="true" />
// tokenloop/private-files: the one way every tokenloop package keeps a private file (S80–S84) — a folder only
// the user (or root) controls, files that are the user's own plain files, read without following links or
// blocking, written atomically. The `…Sync` forms run the same steps with synchronous calls (S125), for a
// process that must start fast. This file only re-exports.
export {
  readPrivateFile,
  readPrivateFileSync,
  type PrivateFileContent,
  type PrivateFileOptions,
} from './read-private-file.js';
export { writePrivateFile, writeFileAtomic } from './atomic-write.js';
export {
  checkPrivateDirectory,
  checkPrivateDirectorySync,
  ensurePrivateDirectory,
  ensurePrivateDirectorySync,
} from './private-directory.js';
