// The Redis token cache on a real Redis Cluster (issue 15): 3 masters and 3 replicas of redis-server on loopback,
// started by this file and shared by its tests. Keys one command uses together share a hash slot (S100), a client
// that reads from replicas is refused (S101), a planned failover of a master loses no write and leaves no lock
// (S102), and processes sharing the cluster refresh once (C4).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SAMPLE_IDS } from '@tokenloop/emulator';
import { Cluster, Redis } from 'ioredis';
import { createTokenClient } from 'tokenloop';
import { redisStore, type RedisStoreOptions } from '../../src/cache/stores/redis-store.js';
import { TokenloopError } from '../../src/errors/errors.js';
import { signInWithExpiredToken } from '../support/expired-sign-in.js';
import { useClusterAndEmulator } from '../support/cluster-and-emulator.js';
import { refusedRedisClients } from '../support/replica-clients.js';
import {
  clientCallsIn,
  commandsAcrossSlots,
  keylessCommands,
  recordCommands,
} from '../support/redis-slot-sweep.js';
import { ACCESS_SECRET, counterOf, increment, REFRESH_SECRET } from './fixtures.js';

// Every source of the token store (redis-store.ts itself only puts the others together).
const STORE_SOURCES = [
  'redis-store.ts',
  'redis-record-read.ts',
  'redis-transaction.ts',
  'redis-scripts.ts',
  'redis-lock.ts',
].map((f) => join(import.meta.dirname, '..', '..', 'src', 'cache', 'stores', f));

describe('the Redis token cache on a Redis Cluster', () => {
  const parts = useClusterAndEmulator({ autoLogin: 'alice', settings: { deviceCodeInterval: 1 } });
  const { connect } = parts;

  it('S100 every command the token store sends names keys of one hash slot, with records on all three masters', async () => {
    const { client, sent } = recordCommands(connect());
    const warnings: string[] = [];
    const options: RedisStoreOptions = { client, prefix: 'sweep:', onWarning: (m) => warnings.push(m) };
    const store = redisStore(options);
    // Enough records that every master holds some, and keys with the characters of a hash tag in them.
    const keys = Array.from({ length: 12 }, (_, i) => `login.example.test|client-1|user-${i}`);
    keys.push('brace{d}', 'brace%7Bd%7D', '}{', '{');
    for (const key of keys) await store.transact(key, (c) => increment(c, key));
    const masters = new Set<number>();
    for (const key of keys.slice(0, 12))
      masters.add(await parts.cluster.masterOf(await parts.cluster.keySlot(`sweep:rec:{${key}}`)));
    assert.equal(masters.size, 3, 'the records lie on all three masters');
    assert.deepEqual((await store.list()).map((r) => r.key).sort(), [...keys].sort());
    for (const key of keys) assert.equal(counterOf(await store.get(key)), 1, key);
    // A transaction longer than the lock's life extends the lock; one that removes the record deletes it.
    const slow = redisStore({ ...options, lockTtlMs: 600 }); // extended every 200 ms
    await slow.transact(keys[1]!, async (c) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return increment(c, keys[1]!);
    });
    await store.transact(keys[2]!, async () => ({ next: null, result: undefined }));
    assert.equal(await store.get(keys[2]!), undefined);
    // A damaged entry is moved aside, in its own slot.
    await connect().set('sweep:rec:{damaged}', '{"v":1');
    assert.equal(await store.get('damaged'), undefined);
    assert.equal(warnings.length, 1);

    const across = await commandsAcrossSlots(parts.cluster, sent);
    assert.deepEqual(across, [], 'commands whose keys lie in several hash slots');
    assert.deepEqual(keylessCommands(sent), [], 'commands a cluster client would send to any one node');
    // The sweep saw every kind of call the store's sources make, every Lua script included.
    const calls = clientCallsIn(STORE_SOURCES);
    const seen = new Set(sent.map((c) => c.name));
    for (const name of calls.commands) assert.ok(seen.has(name), `the sweep never sent ${name}`);
    const scripts = new Set(sent.filter((c) => c.name === 'eval').map((c) => String(c.args[0])));
    assert.equal(scripts.size, calls.scripts.size, `the sweep ran every script (${[...calls.scripts]})`);
  });

  it('S100 a prefix with a hash tag of its own puts every key in its slot; a half or empty tag is refused', async () => {
    const store = redisStore({ client: connect(), prefix: '{app}:tokens:' });
    await store.transact('a', (c) => increment(c, 'a'));
    await store.transact('b', (c) => increment(c, 'b'));
    assert.deepEqual((await store.list()).map((r) => r.key).sort(), ['a', 'b']);
    for (const prefix of ['a}b:', 'a{b}c{'])
      assert.doesNotThrow(() => redisStore({ client: connect(), prefix }));
    for (const prefix of ['app{', '{}app:', 'x}{']) {
      assert.throws(
        () => redisStore({ client: connect({ lazyConnect: true }), prefix }),
        (err) =>
          err instanceof TokenloopError && err.code === 'INVALID_ARGUMENT' && /hash tag/.test(err.message),
        prefix,
      );
    }
  });

  it('S101 redisStore refuses a client that reads from replicas, and what is not an ioredis client', () => {
    const refused = refusedRedisClients(connect);
    for (const [what, client] of refused) {
      assert.throws(
        () => redisStore({ client: client as Cluster }),
        (err) =>
          err instanceof TokenloopError && err.code === 'INVALID_ARGUMENT' && /client/.test(err.message),
        what,
      );
    }
    assert.doesNotThrow(() => redisStore({ client: connect({ lazyConnect: true }) }));
    assert.doesNotThrow(() => redisStore({ client: new Redis({ lazyConnect: true }) }));
  });

  it('C4 four processes sharing one token cache on the cluster, refreshing at once → exactly 1 token request', async (t) => {
    const authority = `${parts.em.url}/organizations`;
    const refreshes = () => parts.em.stats().token_requests.refresh_token?.[SAMPLE_IDS.publicApp] ?? 0;
    const client = createTokenClient({
      authority,
      clientId: SAMPLE_IDS.publicApp,
      cache: redisStore({ client: connect() }),
    });
    await signInWithExpiredToken(client);
    await client.close();
    const before = refreshes();
    const spec = `redis-cluster:${parts.cluster.nodes.map((n) => n.port).join(',')}`;
    // Each process connects, says it is ready, and asks for the token when all are told to go at once.
    const children = Array.from({ length: 4 }, () =>
      startChild(['silent-at.ts', authority, SAMPLE_IDS.publicApp, spec, 'go'], 60_000),
    );
    const spawned = Date.now();
    await Promise.all(children.map((c) => c.ready));
    const went = Date.now();
    for (const c of children) c.go();
    const outputs = await Promise.all(children.map((c) => c.output));
    t.diagnostic(`4 processes ready after ${went - spawned} ms, done ${Date.now() - went} ms after the go`);
    const results = outputs.map((o) => JSON.parse(o.trim()) as { fromCache: boolean; token: string });
    assert.equal(refreshes() - before, 1, 'exactly one refresh across 4 processes');
    assert.equal(new Set(results.map((r) => r.token)).size, 1, 'every process got the same new token');
    assert.equal(
      results.filter((r) => !r.fromCache).length,
      1,
      'one process refreshed, three read its result',
    );
  });

  it('S102 a master failing over mid-run (CLUSTER FAILOVER) loses no write and leaves no lock: the next transaction takes each lock at once', async (t) => {
    const LEASE = 30_000; // a lock left behind would hold its key this long
    const stores = Array.from({ length: 3 }, () =>
      redisStore({ client: connect(), prefix: 'fo:', lockTtlMs: LEASE, lockWaitMs: 20_000 }),
    );
    const slot = await parts.cluster.keySlot('fo:rec:{k0}');
    const failing = await parts.cluster.masterOf(slot);
    // k0, four more keys on the master that fails over and three elsewhere.
    const keys = ['k0'];
    const onIt = async (key: string) =>
      (await parts.cluster.masterOf(await parts.cluster.keySlot(`fo:rec:{${key}}`))) === failing;
    for (let i = 1, there = 0, elsewhere = 0; there < 4 || elsewhere < 3; i++) {
      if (i > 500) throw new Error('found no keys on each master');
      const key = `k${i}`;
      if ((await onIt(key)) ? there++ < 4 : elsewhere++ < 3) keys.push(key);
    }
    const acked = new Map<string, number>(keys.map((k) => [k, 0]));
    const failures: unknown[] = [];
    let failedOver = false;
    let afterFailover = 0;
    let stop = false;

    // One transaction holds k0's lock across the failover and commits after it, on the promoted replica.
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const holder = stores[0]!.transact('k0', async (c) => {
      holding();
      await released;
      return increment(c, 'k0');
    });
    await held;
    // Workers keep incrementing the other records meanwhile, some of them on the master that fails over.
    const workers = stores.map(async (store, w) => {
      for (let i = 0; !stop; i++) {
        const key = keys[1 + ((i * 3 + w) % (keys.length - 1))]!;
        try {
          await store.transact(key, (c) => increment(c, key));
          acked.set(key, acked.get(key)! + 1);
          if (failedOver) afterFailover++;
        } catch (err) {
          failures.push(err);
          return;
        }
      }
    });
    await until(10_000, 'the workers to write', () => [...acked.values()].reduce((a, b) => a + b) >= 20);
    const failoverStarted = Date.now();
    const { from, to } = await parts.cluster.failover(slot);
    t.diagnostic(`failover from port ${from} to ${to} in ${Date.now() - failoverStarted} ms`);
    assert.notEqual(from, to);
    failedOver = true;
    release();
    await until(
      10_000,
      'the workers to write after the failover',
      () => afterFailover >= 30 || failures.length > 0,
    );
    stop = true;
    await Promise.all(workers);
    assert.equal(await holder, 1, 'the transaction that held a lock across the failover committed');
    assert.deepEqual(failures, []);
    t.diagnostic(
      `${[...acked.values()].reduce((x, y) => x + y)} transactions, ${afterFailover} after the failover`,
    );

    const reader = stores[1]!;
    for (const key of keys) {
      const record = await reader.get(key);
      assert.equal(counterOf(record), key === 'k0' ? 1 : acked.get(key), `${key}: every acknowledged write`);
      assert.equal(record?.refreshToken?.secret, REFRESH_SECRET, `${key}: its refresh token`);
      assert.equal(record?.accessTokens[0]?.secret, ACCESS_SECRET, `${key}: its access token`);
    }
    assert.ok(
      (await onIt('k0')) === false && (await parts.cluster.masterOf(slot)) === to,
      'k0 moved to the replica',
    );
    // No lock is left: a store that waits at most 1 s for a lock takes every one at once.
    const next = redisStore({ client: connect(), prefix: 'fo:', lockTtlMs: LEASE, lockWaitMs: 1_000 });
    for (const key of keys) {
      const started = Date.now();
      await next.transact(key, (c) => increment(c, key));
      assert.ok(Date.now() - started < 1_000, `${key}: the lock was free (${Date.now() - started} ms)`);
    }
  });
});

/** Wait until `check()` holds, at most `ms`; fail naming `what`. */
async function until(ms: number, what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Start children/<args[0]> of test/cache under tsx. `ready` resolves when it printed `ready`, `go()` writes it the
 * line it waits for, and `output` is its stdout once its streams closed. Killed, naming it, after `ms`.
 */
function startChild(
  args: string[],
  ms: number,
): { ready: Promise<void>; go(): void; output: Promise<string> } {
  const script = join(import.meta.dirname, '..', 'cache', 'children', args[0]!);
  const p = spawn(process.execPath, ['--import', 'tsx', script, ...args.slice(1)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let ready!: () => void;
  const readyPromise = new Promise<void>((resolve) => (ready = resolve));
  const timer = setTimeout(() => p.kill('SIGKILL'), ms);
  p.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.startsWith('ready\n')) ready();
  });
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const output = new Promise<string>((resolve, reject) =>
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out.slice('ready\n'.length));
      else if (signal === 'SIGKILL') reject(new Error(`child ${args[0]} did not finish within ${ms} ms`));
      else reject(new Error(`child ${args[0]} exited ${code ?? signal}: ${err.slice(0, 500)}`));
    }),
  );
  return {
    ready: Promise.race([
      readyPromise,
      output.then(() => Promise.reject(new Error(`child ${args[0]} never got ready`))),
    ]),
    go: () => p.stdin.end('go\n'),
    output,
  };
}
