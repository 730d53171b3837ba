import type { Socket } from 'node:net';
import { relayWrite } from './relay-write.js';

/** S76: what the client may send while the relay reconnects before it stops being read. */
const MAX_HELD = 256 * 1024;

/** The client's bytes held while the relay has no server to send them to. */
export interface HeldInput {
  add(chunk: Buffer): void;
  /** Sends everything held to `to`, and lets the client be read again (unless `to` is full). */
  release(to: Socket): void;
}

/** S76: holds what `client` sends; past MAX_HELD the client stops being read until the bytes are released. */
export function holdInput(client: Socket): HeldInput {
  let held: Buffer[] = [];
  let heldBytes = 0;
  return {
    add(chunk) {
      held.push(chunk);
      heldBytes += chunk.length;
      if (heldBytes > MAX_HELD) client.pause();
    },
    release(to) {
      const queued = held;
      held = [];
      heldBytes = 0;
      for (const chunk of queued) relayWrite(to, chunk, client);
      if (!client.destroyed && client.isPaused() && !to.writableNeedDrain) client.resume();
    },
  };
}
