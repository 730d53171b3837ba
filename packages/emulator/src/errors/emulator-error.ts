/**
 * The root of the errors the emulator throws on purpose: a protocol failure it answers in Entra's shape
 * (EntraError), a problem with its options or config (LinesError, EmulatorOptionsError), a request body too large
 * (BodyTooLargeError), an external issuer it will not ask (IssuerFetchError). `err instanceof EmulatorError` tells
 * them from a bug. Abstract, with no name of its own: each class keeps the name it had before the family had a root.
 */
export abstract class EmulatorError extends Error {}
