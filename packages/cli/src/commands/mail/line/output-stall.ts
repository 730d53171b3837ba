import type { Socket } from 'node:net';

/** S75: written and not yet taken by the other end: no further line is read above this. */
export const MAX_UNSENT_OUTPUT = 256 * 1024;
/** S75: how long the other end may leave MAX_UNSENT_OUTPUT untaken before it is disconnected. */
export const STALL_MS = 10_000;

/** S75: what a connection wrote and the other end has not taken yet. */
export interface OutputWatch {
  /** More than MAX_UNSENT_OUTPUT waits to be taken. */
  backedUp(): boolean;
  /** After a write: when output backs up, the other end has STALL_MS to take it before `onStall`. */
  wrote(): void;
  /** The other end took it (drain), or the watch ends: no stall any more. */
  stop(): void;
}

/** Watches the output of `socket()` (the socket of the moment: STARTTLS replaces it). */
export function watchOutput(socket: () => Socket, onStall: () => void): OutputWatch {
  let stall: NodeJS.Timeout | undefined;
  const backedUp = () => socket().writableLength > MAX_UNSENT_OUTPUT;
  return {
    backedUp,
    wrote() {
      if (!backedUp() || stall) return;
      stall = setTimeout(onStall, STALL_MS);
      stall.unref();
    },
    stop() {
      clearTimeout(stall);
      stall = undefined;
    },
  };
}
