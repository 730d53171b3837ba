import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { redisStore, type RedisStoreOptions } from '../../src/cache/stores/redis-store.js';
import { TokenloopError } from '../../src/errors/errors.js';
import { startRedis, type RunningRedis } from '../support/redis-server.js';
import { ACCESS_SECRET, counterOf, increment, makeRecord, REFRESH_SECRET } from './fixtures.js';

let redis: RunningRedis;
const clients: Redis[] = [];

function client(): Redis {
  const c = new Redis(redis.url, { lazyConnect: false, maxRetriesPerRequest: 1 });
  clients.push(c);
  return c;
}

/** A store on its own prefix, so tests do not see each other's keys. */
function storeWith(prefix: string, extra: Partial<RedisStoreOptions> = {}) {
  const warnings: string[] = [];
  const store = redisStore({ client: client(), prefix, onWarning: (m) => warnings.push(m), ...extra });
  return { store, warnings };
}

before(async () => {
  redis = await startRedis();
});

after(async () => {
  for (const c of clients) c.disconnect();
  await redis.stop();
});

test('redis store: transact writes, get and list read back, next: null deletes', async () => {
  const { store } = storeWith('t1:');
  assert.equal(await store.get('a'), undefined);
  assert.equal(await store.transact('a', async () => ({ next: makeRecord('a', 1), result: 'ok' })), 'ok');
  await store.transact('b', async () => ({ next: makeRecord('b', 2), result: undefined }));
  assert.equal(counterOf(await store.get('a')), 1);
  assert.deepEqual((await store.list()).map((r) => r.key).sort(), ['a', 'b']);
  await store.transact('a', async () => ({ next: null, result: undefined }));
  assert.equal(await store.get('a'), undefined);
  assert.deepEqual(
    (await store.list()).map((r) => r.key),
    ['b'],
  );
  const admin = client();
  assert.deepEqual((await admin.keys('t1:*')).sort(), ['t1:index', 't1:rec:{b}']);
});

test('redis store: with `key`, values are encrypted and bound to their record key', async () => {
  const key = randomBytes(32);
  const { store } = storeWith('t2:', { key });
  await store.transact('a', async () => ({ next: makeRecord('a', 3), result: undefined }));
  const admin = client();
  const raw = (await admin.get('t2:rec:{a}')) ?? '';
  for (const clear of [REFRESH_SECRET, ACCESS_SECRET, 'login.example.test']) assert.ok(!raw.includes(clear));
  assert.equal(counterOf(await store.get('a')), 3);
  await admin.set('t2:rec:{b}', raw); // a value copied to another record key does not open there
  const { store: reader, warnings } = storeWith('t2:', { key });
  assert.equal(await reader.get('b'), undefined);
  assert.equal(warnings.length, 1);
});

test('redis store: 4 clients x 25 concurrent increments of one record: exactly 100, no lost update', async (t) => {
  const stores = Array.from({ length: 4 }, () => storeWith('t3:').store);
  const started = performance.now();
  await Promise.all(
    stores.flatMap((s) =>
      Array.from({ length: 25 }, () => s.transact('counter', (c) => increment(c, 'counter'))),
    ),
  );
  t.diagnostic(
    `redis transact: ${((performance.now() - started) / 100).toFixed(2)} ms per update under contention`,
  );
  assert.equal(counterOf(await stores[0]!.get('counter')), 100);
});

test('redis store: the lock of a holder that disappeared expires and the next transaction proceeds', async () => {
  const admin = client();
  await admin.set('t4:lock:{a}', 'token-of-a-crashed-holder', 'PX', 300);
  const { store } = storeWith('t4:', { lockTtlMs: 300, lockWaitMs: 5_000 });
  const started = Date.now();
  assert.equal(await store.transact('a', (c) => increment(c, 'a')), 1);
  const waited = Date.now() - started;
  assert.ok(waited >= 200 && waited < 2_000, `waited ${waited} ms`);
});

test('redis store: a lock held by a live holder makes others time out with TokenloopError CACHE', async () => {
  const admin = client();
  await admin.set('t5:lock:{a}', 'someone', 'PX', 10_000);
  const { store } = storeWith('t5:', { lockWaitMs: 200 });
  await assert.rejects(
    store.transact('a', (c) => increment(c, 'a')),
    (err) =>
      err instanceof TokenloopError &&
      err.code === 'CACHE' &&
      /timed out waiting for the cache lock/.test(err.message),
  );
});

test('redis store: a live holder extends its lock, so a transaction longer than lockTtlMs keeps it', async () => {
  const { store } = storeWith('t6:', { lockTtlMs: 150, lockWaitMs: 100 });
  const other = storeWith('t6:', { lockTtlMs: 150, lockWaitMs: 100 }).store;
  const slow = store.transact('a', async (c) => {
    await new Promise((resolve) => setTimeout(resolve, 500));
    return increment(c, 'a');
  });
  await new Promise((resolve) => setTimeout(resolve, 300)); // twice the TTL
  await assert.rejects(
    other.transact('a', (c) => increment(c, 'a')),
    (err) => err instanceof TokenloopError,
  );
  assert.equal(await slow, 1);
});

test('redis store: a transaction that lost its lock writes nothing and says so', async () => {
  const admin = client();
  const { store } = storeWith('t7:');
  const winner = storeWith('t7:').store;
  await assert.rejects(
    store.transact('a', async (c) => {
      await admin.del('t7:lock:{a}'); // the lock expired (a long pause, a partition)...
      await winner.transact('a', async () => ({ next: makeRecord('a', 100), result: undefined })); // ...someone else won
      return increment(c, 'a');
    }),
    (err) => err instanceof TokenloopError && err.code === 'CACHE' && /lost the cache lock/.test(err.message),
  );
  assert.equal(counterOf(await winner.get('a')), 100);
});

test('redis store: a damaged entry is moved aside with one warning; other records are untouched', async () => {
  const admin = client();
  const { store, warnings } = storeWith('t8:');
  await store.transact('good', async () => ({ next: makeRecord('good', 1), result: undefined }));
  await admin.set('t8:rec:{bad}', '{"v":1,"key":"bad"');
  await admin.sadd('t8:index', 'bad');
  assert.deepEqual(
    (await store.list()).map((r) => r.key),
    ['good'],
  );
  assert.deepEqual(await store.list().then((l) => l.length), 1);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /t8:rec:\{bad\}.*moved to t8:corrupt:\{bad\}:/);
  assert.equal((await admin.keys('t8:corrupt:{bad}:*')).length, 1);
  await store.transact('bad', (c) => increment(c, 'bad'));
  assert.equal(counterOf(await store.get('bad')), 1);
});

test('redis store: an entry from a newer tokenloop is an error, never quarantined (it belongs to a peer)', async () => {
  const admin = client();
  const { store, warnings } = storeWith('t9:');
  await admin.set('t9:rec:{a}', JSON.stringify({ ...makeRecord('a'), v: 2 }));
  await assert.rejects(
    store.get('a'),
    (err) => err instanceof TokenloopError && /newer tokenloop/.test(err.message),
  );
  assert.equal(await admin.exists('t9:rec:{a}'), 1);
  assert.deepEqual(warnings, []);
});

test('redis store: Redis down fails fast with TokenloopError CACHE instead of hanging', async () => {
  const down = await startRedis();
  const c = new Redis(down.url, { maxRetriesPerRequest: null, disconnectTimeout: 50 }); // retries forever: the worst case
  c.on('error', () => {}); // ioredis reports each failed reconnection; expected here
  clients.push(c);
  const store = redisStore({ client: c, commandTimeoutMs: 300, onWarning: () => {} });
  await store.transact('a', (cur) => increment(cur, 'a'));
  await down.stop();
  for (const attempt of [() => store.get('a'), () => store.transact('a', (cur) => increment(cur, 'a'))]) {
    const started = Date.now();
    await assert.rejects(attempt(), (err) => err instanceof TokenloopError && err.code === 'CACHE');
    assert.ok(Date.now() - started < 1_500, `${Date.now() - started} ms`);
  }
  const closed = new Redis(redis.url, { lazyConnect: true });
  closed.disconnect();
  await assert.rejects(
    redisStore({ client: closed }).get('a'),
    (err) =>
      err instanceof TokenloopError &&
      err.code === 'CACHE' &&
      /Redis failed to read a record/.test(err.message),
  );
});

test('redis store: a nested transact on the same key fails at once instead of deadlocking', async () => {
  const { store } = storeWith('t10:');
  const result = await store.transact('a', async () => {
    await assert.rejects(
      store.transact('a', (c) => increment(c, 'a')),
      (err) => err instanceof TokenloopError && err.code === 'INVALID_ARGUMENT',
    );
    return { result: 'outer finished' };
  });
  assert.equal(result, 'outer finished');
});
