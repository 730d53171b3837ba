import { TokenloopError } from '../../errors/errors.js';

/**
 * Run one Redis command with a deadline. A client that is reconnecting queues commands (and may retry them
 * for a long time); the cache must fail clearly instead of hanging, so after `timeoutMs` the caller gets
 * `TokenloopError('CACHE')`, as for any error the client reports (refused connection, closed client...).
 *
 * @example
 * ```ts
 * const value = await redisCommand('read a record', 5_000, () => client.get(name));
 * ```
 */
export async function redisCommand<T>(what: string, timeoutMs: number, run: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new TokenloopError('CACHE', `Redis did not answer within ${timeoutMs} ms (${what})`, {
            remediation: 'Check that the Redis server is running and reachable from this process.',
          }),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([run(), deadline]);
  } catch (err) {
    if (err instanceof TokenloopError) throw err;
    throw new TokenloopError('CACHE', `Redis failed to ${what}: ${firstLine(err)}`, {
      cause: err,
      remediation: 'Check that the Redis server is running and reachable from this process.',
    });
  } finally {
    clearTimeout(timer);
  }
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split('\n')[0] ?? '').slice(0, 200);
}
