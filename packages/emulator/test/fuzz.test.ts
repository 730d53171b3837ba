/**
 * Fuzz test: more than 10,000 malformed, random and almost-valid requests against every route of the emulator
 * (running in a child process of its own, so its memory can be measured alone). Every request is derived
 * from FUZZ_SEED and its index, so a failure names what to rerun: `FUZZ_SEED=<seed> node --import tsx --test
 * packages/emulator/test/fuzz.test.ts`.
 *
 * The emulator runs with no scenario switch that produces a 5xx, so any 5xx, anything passed to its `log`
 * option (internal errors only), a crash, a hang or a memory leak is a bug.
 *
 * The generators, transports and flows live in ./fuzz/ (config, rng, values, requests, raw-requests,
 * transport, flows, run); this file starts the emulator, runs the actions and states what must hold.
 *
 * Knobs for reproducing a failure: FUZZ_SEED, FUZZ_ACTIONS (how many), FUZZ_CONCURRENCY (1 runs the actions
 * in order), FUZZ_DEBUG=1 (what is in flight every 5 s) or 2 (every request, redacted), FUZZ_SKIP=i,j
 * (leave actions out, to bisect).
 */
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pool } from 'undici';
import { type ChildMemory, type EmulatorProcess, startEmulatorProcess } from './support/emulator-process.ts';
import {
  ACTIONS,
  CONCURRENCY,
  HEAP_GROWTH_LIMIT,
  MAX_REQUESTS,
  MIN_REQUESTS,
  RSS_GROWTH_LIMIT,
  SEED,
  TIME_BUDGET_MS,
  WARMUP_ACTIONS,
} from './fuzz/config.ts';
import { validFlow } from './fuzz/flows.ts';
import { rngFor } from './fuzz/rng.ts';
import { firstFew, mb, runActions } from './fuzz/run.ts';
import { openPool, redact, send, stats } from './fuzz/transport.ts';

describe(
  `fuzz: random and malformed requests on every endpoint (FUZZ_SEED=${SEED})`,
  {
    timeout: 150_000,
  },
  () => {
    let emulator: EmulatorProcess;
    let pool: Pool;
    let warm: ChildMemory;
    let end: ChildMemory;
    let elapsed = 0;
    let startedAt = 0;

    before(async () => {
      console.log(`fuzz seed: ${SEED} (reproduce with FUZZ_SEED=${SEED})`);
      emulator = await startEmulatorProcess({});
      pool = openPool(emulator.url, CONCURRENCY);
      // A user the scenario fuzzing may switch freely (every other user keeps its defaults).
      const victim = await send(-1, 'setup', {
        method: 'POST',
        path: '/_emulator/api/users',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'fuzzvictim@contoso.onmicrosoft.com', password: 'fuzz-password' }),
      });
      assert.equal(victim.status, 201);
    });

    after(async () => {
      await pool?.close();
      await emulator?.close();
    });

    it(`sends at least ${MIN_REQUESTS} malformed or random requests across all endpoints`, async () => {
      startedAt = Date.now();
      const deadline = startedAt + TIME_BUDGET_MS;
      // Real codes, tokens, sessions and device codes for the broken-valid requests to start from.
      for (let i = 0; i < 12; i++) await validFlow(rngFor(1_000_000 + i), -1);
      assert.deepEqual(stats.validFlowFailures, [], 'valid sign-ins work before the fuzzing starts');
      await runActions(0, WARMUP_ACTIONS, deadline);
      warm = await emulator.memory();
      await runActions(WARMUP_ACTIONS, ACTIONS, deadline);
      end = await emulator.memory();
      elapsed = Date.now() - startedAt;
      const statuses = [...stats.byStatus.entries()].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`);
      console.log(
        `fuzz: ${stats.requests} requests (${stats.raw} on raw sockets, ${stats.fallbacksToRaw} of them refused by undici) in ${(elapsed / 1000).toFixed(1)} s; ` +
          `by kind ${JSON.stringify(Object.fromEntries(stats.byLabel))}; statuses ${statuses.join(' ')}; ` +
          `expected resets ${stats.expectedResets}; valid-flow hiccups ${stats.validFlowFailures.length}`,
      );
      if (stats.validFlowFailures.length)
        console.log(`valid-flow hiccups:\n${firstFew(stats.validFlowFailures)}`);
      console.log(
        `fuzz memory (emulator process, after gc=${end.gcExposed}): rss ${mb(warm.rss)} → ${mb(end.rss)}, heapUsed ${mb(warm.heapUsed)} → ${mb(end.heapUsed)}`,
      );
      assert.ok(
        stats.requests >= MIN_REQUESTS,
        `only ${stats.requests} requests were sent within the time budget`,
      );
      assert.ok(stats.requests <= MAX_REQUESTS + CONCURRENCY * 4);
    });

    it('answers no request with a 5xx', () => {
      assert.equal(
        stats.fiveHundreds.length,
        0,
        `${stats.fiveHundreds.length} requests answered 5xx (seed ${SEED}); first ones:\n${firstFew(stats.fiveHundreds)}`,
      );
    });

    it('answers every complete request (no hang, no dropped connection)', () => {
      assert.equal(
        stats.clientErrors.length,
        0,
        `${stats.clientErrors.length} complete requests got no answer (seed ${SEED}); first ones:\n${firstFew(stats.clientErrors)}`,
      );
    });

    it('logs nothing (the log option only receives internal errors)', () => {
      assert.equal(
        emulator.logs.length,
        0,
        `the emulator logged ${emulator.logs.length} internal errors (seed ${SEED}); first ones:\n${emulator.logs
          .slice(0, 5)
          .map((l) => `  ${redact(l.split('\n').slice(0, 4).join(' | '))}`)
          .join('\n')}`,
      );
    });

    it('keeps running and answers a health request', async () => {
      assert.equal(
        emulator.exited(),
        undefined,
        `the emulator process ended: ${emulator.stderr().slice(0, 2000)}`,
      );
      const res = await pool.request({
        method: 'GET',
        path: '/common/v2.0/.well-known/openid-configuration',
      });
      const body = (await res.body.json()) as { issuer?: string };
      assert.equal(res.statusCode, 200);
      assert.match(body.issuer ?? '', /\/\{tenantid\}\/v2\.0$/);
      const flowsBefore = stats.validFlowFailures.length;
      await validFlow(rngFor(2_000_000), -2);
      assert.equal(
        stats.validFlowFailures.length,
        flowsBefore,
        'a full sign-in still works after the fuzzing',
      );
    });

    it(`keeps its memory flat (RSS growth < ${mb(RSS_GROWTH_LIMIT)}, heap growth < ${mb(HEAP_GROWTH_LIMIT)})`, () => {
      assert.ok(end.gcExposed, 'the emulator process runs with --expose-gc');
      assert.ok(
        end.rss - warm.rss < RSS_GROWTH_LIMIT,
        `RSS grew from ${mb(warm.rss)} to ${mb(end.rss)} during the run`,
      );
      assert.ok(
        end.heapUsed - warm.heapUsed < HEAP_GROWTH_LIMIT,
        `heap grew from ${mb(warm.heapUsed)} to ${mb(end.heapUsed)} during the run`,
      );
    });
  },
);
