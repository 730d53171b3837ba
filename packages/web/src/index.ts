// Every entry point asks for Node's types: TypeScript 6+ loads none unless asked (test/packaging-types.test.ts).
/// <reference types="node" preserve="true" />
// @tokenloop/web: "Sign in with Microsoft" for Node web apps and bearer-token protection for APIs. Adapters:
// `@tokenloop/web/express`, `@tokenloop/web/fastify`; Redis sessions: `@tokenloop/web/redis` (kept out of this
// entry so that its declarations never name the optional peer ioredis). This file only re-exports.
export { createWebAuth, SignInRequiredError } from './web-auth.js';
export type { WebAuth, WebRequest, WebResponse, WebSession } from './web-auth.js';
export { type WebAuthOptions, WebAuthConfigError } from './options.js';
export { memorySessionStore, type SessionStore } from './session/session-store.js';
export { sessionSealer, type SessionSealer, type SessionSecret } from './session/session-seal.js';
export { safeReturnTo } from './session/return-to.js';
export { createAccessTokenVerifier, InvalidTokenError } from './bearer/access-token.js';
export type { AccessTokenOptions, AccessTokenVerifier } from './bearer/access-token.js';
export { checkBearer, type BearerOutcome, type Requirement } from './bearer/bearer-check.js';
export {
  claimsChallenge,
  acceptsClaimsChallenges,
  type ClaimsChallengeOptions,
  type ClaimsChallengeOutcome,
} from './bearer/claims-challenge.js';
