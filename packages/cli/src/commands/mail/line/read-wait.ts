/** A reader waiting for its connection: until it is woken (input came, output drained, the connection failed). */
export interface ReadWaiter {
  /** Ends the wait under way, if any. */
  wake(): void;
  /** Until woken, or `ms` pass. */
  wait(ms: number): Promise<void>;
}

export function readWaiter(): ReadWaiter {
  let woken: (() => void) | undefined;
  return {
    wake: () => woken?.(),
    wait: (ms) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        woken = () => {
          clearTimeout(timer);
          woken = undefined;
          resolve();
        };
      }),
  };
}
