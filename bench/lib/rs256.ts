import { generateKeyPairSync, sign } from 'node:crypto';
import { Worker } from 'node:worker_threads';

// Each worker signs a token-sized input with its own RSA-2048 key, synchronously, for `ms`, then reports.
const WORKER = `
const { generateKeyPairSync, sign } = require('node:crypto');
const { parentPort, workerData } = require('node:worker_threads');
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const data = Buffer.alloc(1100, 1);
parentPort.once('message', () => {
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < workerData.ms) {
    sign('sha256', data, privateKey);
    n++;
  }
  parentPort.postMessage(n / ((performance.now() - t0) / 1000));
});
parentPort.postMessage('ready');
`;

/** RS256 (RSA-2048, SHA-256) signatures per second with node:crypto on `threads` worker threads at once. */
export async function rs256Rate(threads: number, ms = 1000): Promise<number> {
  const workers = Array.from(
    { length: threads },
    () => new Worker(WORKER, { eval: true, workerData: { ms } }),
  );
  // Key generation happens before 'ready', so it is not timed; all workers start together.
  await Promise.all(workers.map((w) => new Promise((r) => w.once('message', r))));
  const rates = await Promise.all(
    workers.map((w) => {
      const done = new Promise<number>((r) => w.once('message', r));
      w.postMessage('go');
      return done;
    }),
  );
  await Promise.all(workers.map((w) => w.terminate()));
  return rates.reduce((a, b) => a + b, 0);
}

/** The same through node:crypto's callback form (libuv's thread pool, as the emulator signs), 32 in flight. */
export async function rs256ThreadPoolRate(ms = 1000): Promise<number> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const data = Buffer.alloc(1100, 1);
  let done = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    let inFlight = 32;
    const launch = (): void => {
      if (performance.now() - t0 > ms) {
        if (--inFlight === 0) resolve();
        return;
      }
      sign('sha256', data, privateKey, () => {
        done++;
        launch();
      });
    };
    for (let i = 0; i < 32; i++) launch();
  });
  return done / ((performance.now() - t0) / 1000);
}
