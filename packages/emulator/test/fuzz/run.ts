// Fuzz runner: picks each action's kind from its generator and runs the actions on CONCURRENCY workers.
import { CONCURRENCY, MAX_REQUESTS } from './config.ts';
import { brokenValidRequest, validFlow } from './flows.ts';
import { rawRequest } from './raw-requests.ts';
import { adminRequest, endpointRequest } from './requests.ts';
import { rngFor } from './rng.ts';
import { type Offence, inFlight, send, stats } from './transport.ts';

export async function runAction(index: number): Promise<void> {
  const r = rngFor(index);
  const roll = r.next();
  if (roll < 0.64) await send(index, 'endpoint', endpointRequest(r));
  else if (roll < 0.71) await send(index, 'admin', adminRequest(r, index));
  else if (roll < 0.83) await rawRequest(r, index);
  else if (roll < 0.97) await send(index, 'broken-valid', brokenValidRequest(r));
  else await validFlow(r, index);
}

export async function runActions(from: number, to: number, deadline: number): Promise<void> {
  let next = from;
  const progress = process.env['FUZZ_DEBUG']
    ? setInterval(
        () =>
          console.log(
            `progress: next ${next}, requests ${stats.requests}, in flight ${inFlight.size}:\n${[...inFlight.entries()].map(([i, w]) => `#${i} ${w}`).join('\n')}`,
          ),
        5000,
      )
    : undefined;
  const worker = async () => {
    for (;;) {
      const index = next++;
      if (index >= to || Date.now() > deadline || stats.requests >= MAX_REQUESTS) return;
      if (process.env['FUZZ_SKIP']?.split(',').includes(String(index))) continue;
      inFlight.set(index, 'started');
      await runAction(index);
      inFlight.delete(index);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  clearInterval(progress);
}

export function mb(n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function firstFew(list: Offence[]): string {
  return list
    .slice(0, 8)
    .map((o) => `  #${o.index} (${o.label}): ${o.what}`)
    .join('\n');
}
