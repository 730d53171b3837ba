// Every entry point asks for Node's types: TypeScript 6+ loads none unless asked (test/packaging-types.test.ts).
/// <reference types="node" preserve="true" />
// @tokenloop/web/redis: web sessions in Redis. A subpath of its own, so that the declarations of the main entry
// never name the optional peer `ioredis`: TypeScript users without it compile with skipLibCheck off.
export { redisSessionStore, type RedisSessionStoreOptions } from './session/redis-session-store.js';
