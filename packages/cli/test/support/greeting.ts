// Waits for a server started by a test to greet on its port. Each probe is bounded: a port that accepts and
// never speaks (another program took the port between the test choosing it and the server binding it) is
// "not ready", never a hang.
import { connect } from 'node:net';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One connection to `port`: resolves true when the first bytes match `greeting`, false otherwise or after 1 s. */
function probe(port: number, greeting: RegExp): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      clearTimeout(timer);
      c.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 1000);
    c.once('data', (d: Buffer) => done(greeting.test(d.toString('latin1'))));
    c.once('error', () => done(false));
    c.once('close', () => done(false));
  });
}

/**
 * Probes until `port` greets with `greeting`; throws `what did not start` (with `detail()`) after `tries`, or as
 * soon as `gaveUp()` says the server is gone.
 */
export async function waitForGreeting(
  port: number,
  greeting: RegExp,
  options: { what: string; tries?: number; gaveUp?: () => boolean; detail?: () => string },
): Promise<void> {
  for (let i = 0; ; i++) {
    if (await probe(port, greeting)) return;
    if (i >= (options.tries ?? 100) || options.gaveUp?.())
      throw new Error(`${options.what} did not start${options.detail ? `: ${options.detail()}` : ''}`);
    await sleep(100);
  }
}
