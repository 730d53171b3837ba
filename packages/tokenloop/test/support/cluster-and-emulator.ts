// A Redis Cluster (3 masters, 3 replicas of redis-server on loopback) and an emulator, started together by the
// enclosing suite's hooks and shared by its tests: what the Redis Cluster tests of the library and of the web
// package both set up.
import { after, before } from 'node:test';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '@tokenloop/emulator';
import { Cluster, type ClusterOptions } from 'ioredis';
import { type RunningRedisCluster, startRedisCluster } from './redis-cluster.js';

export interface ClusterAndEmulator {
  /** The running cluster and emulator (set once the suite's before hook has run). */
  readonly cluster: RunningRedisCluster;
  readonly em: RunningEmulator;
  /** A cluster client of the test's own, disconnected after the suite. */
  connect(options?: ClusterOptions): Cluster;
}

/** Registers the before / after hooks of the enclosing suite that start and stop the cluster and the emulator. */
export function useClusterAndEmulator(emulator: EmulatorOptions): ClusterAndEmulator {
  let cluster: RunningRedisCluster | undefined;
  let em: RunningEmulator | undefined;
  const clients: Cluster[] = [];
  const started = <T>(part: T | undefined, name: string): T => {
    if (part === undefined) throw new Error(`the ${name} is not running (the suite's before hook failed)`);
    return part;
  };
  before(async () => {
    // Both at once; whichever started is stopped by after(), also when the other failed.
    const [c, e] = await Promise.allSettled([startRedisCluster(), startEmulator(emulator)]);
    if (c.status === 'fulfilled') cluster = c.value;
    if (e.status === 'fulfilled') em = e.value;
    for (const r of [c, e]) if (r.status === 'rejected') throw r.reason;
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    await cluster?.stop();
    await em?.close();
  });
  return {
    get cluster() {
      return started(cluster, 'Redis Cluster');
    },
    get em() {
      return started(em, 'emulator');
    },
    connect(options = {}) {
      const c = new Cluster(started(cluster, 'Redis Cluster').nodes, options);
      clients.push(c);
      return c;
    },
  };
}
