// tokenloop/private-files: the one way every tokenloop package keeps a private file (S80–S84) — a folder only
// the user (or root) controls, files that are the user's own plain files, read without following links or
// blocking, written atomically. This file only re-exports.
export { readPrivateFile, type PrivateFileContent, type PrivateFileOptions } from './read-private-file.js';
export { writePrivateFile, writeFileAtomic } from './atomic-write.js';
export { checkPrivateDirectory, ensurePrivateDirectory } from './private-directory.js';
