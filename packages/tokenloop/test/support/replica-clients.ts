// S101: the clients a Redis store must refuse — they read from replicas, or are no ioredis client — as one table
// for every store that takes a client (the token cache's redisStore, web's redisSessionStore).
import { type Cluster, type ClusterOptions, Redis } from 'ioredis';

export function refusedRedisClients(connect: (options?: ClusterOptions) => Cluster): [string, unknown][] {
  return [
    ['a Cluster with scaleReads: slave', connect({ scaleReads: 'slave', lazyConnect: true })],
    ['a Cluster with scaleReads: all', connect({ scaleReads: 'all', lazyConnect: true })],
    [
      'a Sentinel client with role: slave',
      new Redis({ sentinels: [{ host: '127.0.0.1', port: 1 }], name: 'm', role: 'slave', lazyConnect: true }),
    ],
    ['no client', undefined],
    ['a plain object', { get() {} }],
  ];
}
