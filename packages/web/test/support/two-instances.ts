// Two instances of the test web app behind one load balancer (the same public origin), sharing one real
// redis-server for their sessions and token caches, signing users in at one emulator: the set-up of the tests
// that prove a user signed in on one instance is served by the other.
import { randomBytes } from 'node:crypto';
import {
  type EmulatorOptions,
  type RunningEmulator,
  SAMPLE_IDS,
  SAMPLE_SECRETS,
  startEmulator,
} from '@tokenloop/emulator';
import { Redis } from 'ioredis';
import type { SessionStore } from '@tokenloop/web';
import { redisSessionStore } from '@tokenloop/web/redis';
import { redisStore } from 'tokenloop/redis';
import { type RunningRedis, startRedis } from '../../../tokenloop/test/support/redis-server.js';
import { type Adapter, type TestApp, startWebApp } from './web-app.js';

export interface TwoInstances {
  em: RunningEmulator;
  redis: RunningRedis;
  /** Instance A, and instance B serving A's public origin. */
  a: TestApp;
  b: TestApp;
  /** The session stores of A and B (one Redis client each). */
  sessionStores: [SessionStore, SessionStore];
  /** Stops the apps, the Redis clients, redis-server and the emulator (in that order). */
  close(): Promise<void>;
}

/** Starts the emulator, redis-server and the two instances; `apiScope` is the app's API scope. */
export async function startTwoInstances(o: {
  adapter: Adapter;
  apiScope: string;
  emulator?: EmulatorOptions;
}): Promise<TwoInstances> {
  const key = randomBytes(32); // the instances share it: sessions and tokens are sealed with it
  const stops: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    const em = await startEmulator(o.emulator);
    stops.push(() => em.close());
    const redis = await startRedis();
    stops.push(() => redis.stop());
    const clients = [new Redis(redis.url), new Redis(redis.url)] as const;
    stops.push(() => clients.forEach((c) => c.disconnect()));
    const sessionStores = clients.map((client) => redisSessionStore({ client, key })) as [
      SessionStore,
      SessionStore,
    ];
    const common = {
      authority: `${em.url}/${SAMPLE_IDS.contoso}`,
      clientId: SAMPLE_IDS.webApp,
      clientSecret: SAMPLE_SECRETS.webApp,
      graphBase: em.url,
      apiScope: o.apiScope,
      adapter: o.adapter,
    };
    const a = await startWebApp({
      ...common,
      sessionStore: sessionStores[0],
      tokenCache: redisStore({ client: clients[0], key }),
    });
    stops.push(() => a.close());
    const b = await startWebApp({
      ...common,
      baseUrl: a.url,
      sessionStore: sessionStores[1],
      tokenCache: redisStore({ client: clients[1], key }),
    });
    stops.push(() => b.close());
    return { em, redis, a, b, sessionStores, close };
  } catch (err) {
    await close();
    throw err;
  }
}
