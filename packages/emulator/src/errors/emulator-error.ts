/**
 * The root of the errors the emulator throws on purpose, each in a file of this folder: a protocol failure it
 * answers in Entra's shape (EntraError), a problem with its options or config (LinesError, EmulatorOptionsError,
 * DirectoryConfigError, DirectoryFullError), a request body too large (BodyTooLargeError), an external issuer it
 * will not ask (IssuerFetchError). `err instanceof EmulatorError` tells them from a bug; http-answer.ts says how the
 * listener answers those that are not EntraErrors. Abstract, with no name of its own: each class keeps the name it
 * had before the family had a root.
 */
export abstract class EmulatorError extends Error {}
