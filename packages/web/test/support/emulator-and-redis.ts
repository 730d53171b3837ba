// The parts the session tests share: the emulator (alice signs in by herself), a real redis-server, a client of
// it, and a session key. Exported as live bindings, set by the enclosing suite's hooks.
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import { type RunningEmulator, startEmulator } from '@tokenloop/emulator';
import { Redis } from 'ioredis';
import { type RunningRedis, startRedis } from '../../../tokenloop/test/support/redis-server.js';

export let em: RunningEmulator;
export let redis: RunningRedis;
export let client: Redis;
export const key = randomBytes(32);

/** Registers the before / after hooks of the enclosing suite that start and stop the parts. */
export function useEmulatorAndRedis(): void {
  before(async () => {
    em = await startEmulator({ autoLogin: 'alice' });
    redis = await startRedis();
    client = new Redis(redis.url);
  });
  after(async () => {
    client?.disconnect();
    await redis?.stop();
    await em?.close();
  });
}
