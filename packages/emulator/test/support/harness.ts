import * as assert from 'node:assert/strict';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../src/index.ts';

/** Runs `fn` against a fresh emulator and closes it whatever happens. */
export async function withEmulator(
  options: EmulatorOptions,
  fn: (e: RunningEmulator) => Promise<void>,
): Promise<void> {
  const e = await startEmulator(options);
  try {
    await fn(e);
  } finally {
    await e.close();
  }
}

/** The sign-in transaction id a page carries in its hidden `tx` field (what the page posts send back). */
export function hiddenTx(html: string): string {
  const tx = /name="tx" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(tx, 'page carries a tx');
  return tx;
}
