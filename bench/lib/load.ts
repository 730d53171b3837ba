import autocannon from 'autocannon';
import { percentile } from './report.ts';

/** One server under load: a form POST sent over and over. */
export interface LoadTarget {
  name: string;
  url: string;
  body: string;
  headers?: Record<string, string>;
}

export interface LoadResult {
  name: string;
  /** Completed responses in the measured rounds (warm-up excluded). */
  total: number;
  seconds: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** requests/s of each measured round, in order, to show how steady the machine was. */
  rounds: number[];
}

export interface LoadPlan {
  connections: number;
  warmupSeconds: number;
  /** Measured time per target is rounds × roundSeconds. */
  rounds: number;
  roundSeconds: number;
}

interface Round {
  total: number;
  non2xx: number;
  errors: number;
  latencies: number[];
}

async function round(target: LoadTarget, connections: number, seconds: number): Promise<Round> {
  const latencies: number[] = [];
  const r = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...target.headers },
        body: target.body,
        connections,
        duration: seconds,
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    instance.on('response', (_client, _status, _bytes, ms) => {
      latencies.push(ms);
    });
  });
  return { total: r.requests.total, non2xx: r.non2xx, errors: r.errors + r.timeouts, latencies };
}

/**
 * A bounded POST load on loopback (fixed connections, fixed duration), for several targets at once:
 * each is warmed up, then the measured rounds alternate between targets (A B A B …), so that whatever else
 * the shared machine is doing meanwhile weighs on every target alike. Latencies are exact (every response).
 */
export async function interleavedLoad(targets: LoadTarget[], plan: LoadPlan): Promise<LoadResult[]> {
  for (const t of targets) await round(t, plan.connections, plan.warmupSeconds);
  const measured = targets.map(() => [] as Round[]);
  for (let i = 0; i < plan.rounds; i++) {
    for (const [n, t] of targets.entries())
      measured[n]!.push(await round(t, plan.connections, plan.roundSeconds));
  }
  return targets.map((t, n) => {
    const rounds = measured[n]!;
    const latencies = rounds.flatMap((r) => r.latencies).sort((a, b) => a - b);
    const total = rounds.reduce((s, r) => s + r.total, 0);
    const seconds = plan.rounds * plan.roundSeconds;
    return {
      name: t.name,
      total,
      seconds,
      requestsPerSecond: total / seconds,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      non2xx: rounds.reduce((s, r) => s + r.non2xx, 0),
      errors: rounds.reduce((s, r) => s + r.errors, 0),
      rounds: rounds.map((r) => r.total / plan.roundSeconds),
    };
  });
}
