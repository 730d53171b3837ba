// The S100 sweep's tools: record every command a store sends through an ioredis client, find the keys of each
// (ioredis's own key positions, EVAL's KEYS included), ask a real cluster for their hash slots, and list the
// client calls a store's sources make, so that a sweep can check it exercised every one of them.
import { readFileSync } from 'node:fs';
import { Command, type Cluster } from 'ioredis';
import type { RunningRedisCluster } from './redis-cluster.js';

export interface SentCommand {
  name: string;
  args: unknown[];
}

/** `client` behind a proxy that notes every command sent through it (name and arguments), in `sent`. */
export function recordCommands(client: Cluster): { client: Cluster; sent: SentCommand[] } {
  const sent: SentCommand[] = [];
  const commands = new Set(client.getBuiltinCommands());
  const proxy = new Proxy(client, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (typeof property === 'string' && commands.has(property))
        return (...args: unknown[]) => {
          sent.push({ name: property, args });
          return fn.apply(target, args);
        };
      return fn.bind(target);
    },
  });
  return { client: proxy, sent };
}

/** The keys a command names, by ioredis's key positions (for EVAL: its `numkeys` keys). */
export function keysOf(command: SentCommand): string[] {
  const args = command.args.filter((a) => typeof a !== 'function') as (string | number | Buffer)[];
  return new Command(command.name, args).getKeys().map(String);
}

/**
 * The commands among `sent` that name no key: a Redis Cluster client sends such a command (KEYS, SCAN, WAIT…) to
 * one node of its choice, which holds only part of the data.
 */
export function keylessCommands(sent: SentCommand[]): string[] {
  return sent.filter((c) => keysOf(c).length === 0).map((c) => c.name);
}

/** The commands among `sent` whose keys lie in more than one hash slot, as the cluster computes slots. */
export async function commandsAcrossSlots(
  cluster: RunningRedisCluster,
  sent: SentCommand[],
): Promise<{ name: string; slots: Record<string, number> }[]> {
  const found: { name: string; slots: Record<string, number> }[] = [];
  const slotOf = new Map<string, number>();
  for (const command of sent) {
    const slots: Record<string, number> = {};
    for (const key of keysOf(command)) {
      if (!slotOf.has(key)) slotOf.set(key, await cluster.keySlot(key));
      slots[key] = slotOf.get(key)!;
    }
    if (new Set(Object.values(slots)).size > 1) found.push({ name: command.name, slots });
  }
  return found;
}

/**
 * The client calls in `files`: the command names called as `client.<name>(`, and for EVAL the distinct script
 * constants passed (`client.eval(NAME, …`).
 */
export function clientCallsIn(files: string[]): { commands: Set<string>; scripts: Set<string> } {
  const commands = new Set<string>();
  const scripts = new Set<string>();
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/\bclient\.(\w+)\(/g)) commands.add(m[1]!);
    for (const m of source.matchAll(/\bclient\.eval\(\s*(\w+)/g)) scripts.add(m[1]!);
  }
  return { commands, scripts };
}
