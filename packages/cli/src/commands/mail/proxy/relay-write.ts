import type { Socket } from 'node:net';

/** Which socket each paused sender waits for. */
const waitingFor = new WeakMap<Socket, Socket>();

/**
 * S76: hands `chunk` on from `from` to `to` at the pace `to` takes it. When `to` holds more than its high-water
 * mark, `from` stops being read until `to` drains (or closes), so a side that does not read slows the other side
 * down instead of filling the proxy's memory. Every relay write from one peer to the other goes through here.
 */
export function relayWrite(to: Socket, chunk: Buffer | string, from: Socket): void {
  if (to.write(chunk) || waitingFor.get(from) === to) return;
  from.pause();
  waitingFor.set(from, to);
  const resume = () => {
    to.off('drain', resume);
    to.off('close', resume);
    if (waitingFor.get(from) === to) waitingFor.delete(from);
    if (!from.destroyed) from.resume();
  };
  to.on('drain', resume);
  to.on('close', resume);
}
