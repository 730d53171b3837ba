// @tokenloop/web/redis: web sessions in Redis. A subpath of its own, so that the declarations of the main entry
// never name the optional peer `ioredis`: TypeScript users without it compile with skipLibCheck off.
export { redisSessionStore, type RedisSessionStoreOptions } from './session/redis-session-store.js';
