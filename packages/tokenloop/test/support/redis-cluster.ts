// Starts a real, throw-away Redis Cluster for tests: 3 masters and 3 replicas of redis-server on loopback ports,
// each node in its own temporary folder, no persistence. stop() ends every process and removes every folder; a
// start that fails does the same before it throws. Every wait is bounded and names what it waited for.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

const REDIS_SERVER = '/usr/bin/redis-server';
const REDIS_CLI = '/usr/bin/redis-cli';
/** Runs each node with a parent-death signal, so that a test process killed outright takes its nodes along. */
const SETPRIV = '/usr/bin/setpriv';
const HOST = '127.0.0.1';
/**
 * Client ports are drawn from here, so that a node's cluster bus port (port + 10000) stays below Linux's usual
 * range of ephemeral ports (32768 and up), where the `listen(0)` of other tests and outgoing connections land.
 */
const PORT_RANGE = { from: 10_000, to: 22_000 };

export interface RedisClusterNode {
  port: number;
  /** An admin connection to this node alone (not a cluster client). */
  admin: Redis;
}

export interface RunningRedisCluster {
  /** The startup nodes for `new Cluster(nodes)`. */
  nodes: { host: string; port: number }[];
  all: RedisClusterNode[];
  /** The port of the master that serves `slot` now. */
  masterOf(slot: number): Promise<number>;
  /** The hash slot of `key`, as the cluster computes it (`CLUSTER KEYSLOT`). */
  keySlot(key: string): Promise<number>;
  /**
   * A planned failover of the master serving `slot`: `CLUSTER FAILOVER` on its replica, then wait until every node
   * agrees that the replica is the master and the cluster is healthy again. Returns the two ports.
   */
  failover(slot: number): Promise<{ from: number; to: number }>;
  /** Stop every node (SIGTERM, then SIGKILL after 2 s) and remove every folder. Never throws. */
  stop(): Promise<void>;
}

interface ServerProcess {
  port: number;
  dir: string;
  child: ChildProcess;
  closed: Promise<unknown>;
}

/** Clusters not stopped yet: their processes and folders, for the clean-up when the test process ends. */
const running = new Set<{ servers: ServerProcess[]; root: string }>();
function removeRunning(): void {
  for (const cluster of running) {
    for (const { child } of cluster.servers) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(cluster.root, { recursive: true, force: true });
  }
  running.clear();
}
process.on('exit', removeRunning);
// A test file stopped by a signal (the runner's timeout, Ctrl-C) runs no 'exit' handlers: clean up, then end by
// the same signal.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    removeRunning();
    process.kill(process.pid, signal);
  });

/**
 * Start `redis-server --cluster-enabled yes` six times on free loopback ports (each with its bus port free),
 * join them with `redis-cli --cluster create … --cluster-replicas 1 --cluster-yes`, and resolve once
 * `CLUSTER INFO` says `cluster_state:ok` on every node, every replica is linked to its master and all nodes
 * agree on who serves which slots.
 */
export async function startRedisCluster(): Promise<RunningRedisCluster> {
  for (const program of [REDIS_SERVER, REDIS_CLI]) {
    if (!existsSync(program))
      throw new Error(
        `${program} is missing: run node scripts/ensure-system-deps.mjs (installs redis-server and redis-tools)`,
      );
  }
  const root = await mkdtemp(join(tmpdir(), 'tokenloop-redis-cluster-'));
  const servers: ServerProcess[] = [];
  const all: RedisClusterNode[] = [];
  const entry = { servers, root };
  running.add(entry);
  const stop = async (): Promise<void> => {
    for (const node of all) node.admin.disconnect();
    await Promise.all(servers.map(stopServer));
    await rm(root, { recursive: true, force: true });
    running.delete(entry);
  };
  try {
    for (let i = 0; i < 6; i++) {
      const dir = await mkdtemp(join(root, `node-${i}-`));
      servers.push(await launchOnFreePort(dir, new Set(servers.map((s) => s.port))));
    }
    for (const { port } of servers) {
      const admin = new Redis({ host: HOST, port, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
      admin.on('error', () => {}); // a node stopped by a test; the commands that need it fail by themselves
      all.push({ port, admin });
    }
    await run(
      REDIS_CLI,
      [
        '--cluster',
        'create',
        ...servers.map((s) => `${HOST}:${s.port}`),
        '--cluster-replicas',
        '1',
        '--cluster-yes',
      ],
      30_000,
    );
    await waitUntil(20_000, 'the new cluster to be healthy (cluster_state:ok on every node)', () =>
      healthy(all),
    );
  } catch (err) {
    await stop();
    throw err;
  }
  const slotsSeenBy = (node: RedisClusterNode) => slotMap(node);
  return {
    nodes: servers.map((s) => ({ host: HOST, port: s.port })),
    all,
    async masterOf(slot) {
      return masterIn(await slotsSeenBy(all[0]!), slot).master;
    },
    async keySlot(key) {
      return Number(await all[0]!.admin.cluster('KEYSLOT', key));
    },
    async failover(slot) {
      const { master } = masterIn(await slotsSeenBy(all[0]!), slot);
      let replica: RedisClusterNode | undefined;
      for (const node of all) if ((await roleOf(node)).replicaOf === master) replica = node;
      if (!replica) throw new Error(`the master on port ${master} has no replica to fail over to`);
      await replica.admin.cluster('FAILOVER');
      await waitUntil(
        15_000,
        `the replica on port ${replica.port} to take over slot ${slot} from port ${master} on every node`,
        async () => {
          for (const node of all)
            if (masterIn(await slotsSeenBy(node), slot).master !== replica.port) return false;
          return healthy(all);
        },
      );
      return { from: master, to: replica.port };
    },
    stop: () => stop().catch(() => {}),
  };
}

interface SlotRange {
  from: number;
  to: number;
  master: number;
}

/** Who serves which slots, as `node` sees it (`CLUSTER SLOTS`), sorted by the first slot. */
async function slotMap(node: RedisClusterNode): Promise<SlotRange[]> {
  return (await node.admin.cluster('SLOTS'))
    .map(([from, to, master]) => ({ from, to, master: master?.[1] ?? -1 }))
    .sort((a, b) => a.from - b.from);
}

function masterIn(map: SlotRange[], slot: number): SlotRange {
  const range = map.find((r) => r.from <= slot && slot <= r.to);
  if (!range) throw new Error(`no node serves slot ${slot}`);
  return range;
}

/**
 * Every node: cluster_state ok, all 16384 slots ok, all nodes known, the same masters for the same slots; every
 * replica linked to its master (`ROLE`), and every master serving slots has one.
 */
async function healthy(all: RedisClusterNode[]): Promise<boolean> {
  try {
    let first: string | undefined;
    const linked = new Set<number>();
    for (const node of all) {
      const info = String(await node.admin.cluster('INFO'));
      if (!/^cluster_state:ok\r?$/m.test(info)) return false;
      if (!/^cluster_slots_ok:16384\r?$/m.test(info)) return false;
      if (!new RegExp(`^cluster_known_nodes:${all.length}\\r?$`, 'm').test(info)) return false;
      const masters = JSON.stringify((await slotMap(node)).map(({ from, to, master }) => [from, to, master]));
      if (first !== undefined && masters !== first) return false;
      first = masters;
      const role = await roleOf(node);
      if (role.replicaOf !== undefined) {
        if (!role.linked) return false;
        linked.add(role.replicaOf);
      }
    }
    const masters = JSON.parse(first ?? '[]') as [number, number, number][];
    return masters.length > 0 && masters.every(([, , master]) => linked.has(master));
  } catch {
    return false; // a node between roles may refuse a command for a moment
  }
}

/** `ROLE`: whose replica the node is (undefined for a master), and whether the link to it is up. */
async function roleOf(node: RedisClusterNode): Promise<{ replicaOf?: number; linked: boolean }> {
  const role = (await node.admin.call('ROLE')) as unknown[];
  if (role[0] !== 'slave') return { linked: false };
  return { replicaOf: Number(role[2]), linked: role[3] === 'connected' };
}

async function waitUntil(ms: number, what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Launch a node on a free port, choosing another when the port was taken meanwhile (up to 5 tries). */
async function launchOnFreePort(dir: string, taken: Set<number>): Promise<ServerProcess> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePortPair(taken);
    try {
      return await launch(port, dir);
    } catch (err) {
      if (attempt >= 5) throw err;
    }
  }
}

async function launch(port: number, dir: string): Promise<ServerProcess> {
  const [program, ...prefix] = existsSync(SETPRIV)
    ? [SETPRIV, '--pdeathsig', 'KILL', REDIS_SERVER]
    : [REDIS_SERVER];
  const child = spawn(
    program!,
    [
      ...prefix,
      '--port',
      String(port),
      '--bind',
      HOST,
      '--protected-mode',
      'yes',
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      'nodes.conf',
      '--cluster-node-timeout',
      '2000',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      // A replica's first sync streams at once instead of waiting 5 s for other replicas to join it.
      '--repl-diskless-sync-delay',
      '0',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const closed = once(child, 'close').catch(() => {});
  const server = { port, dir, child, closed };
  const deadline = Date.now() + 10_000;
  // The server's own word: a probe connection could reach another program that took the port meanwhile.
  while (!output.includes('Ready to accept connections')) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await stopServer(server);
      throw new Error(`redis-server (cluster node) did not start on port ${port}:\n${output.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return server;
}

async function stopServer(server: ServerProcess): Promise<void> {
  const { child } = server;
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
    await server.closed;
    clearTimeout(timer);
  } else {
    await server.closed;
  }
}

/** A random port in PORT_RANGE that is free on loopback together with its bus port (port + 10000). */
async function freePortPair(taken: Set<number>): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = PORT_RANGE.from + Math.floor(Math.random() * (PORT_RANGE.to - PORT_RANGE.from));
    if (taken.has(port) || taken.has(port + 10_000) || taken.has(port - 10_000)) continue;
    if ((await canListen(port)) && (await canListen(port + 10_000))) return port;
  }
  throw new Error(`found no free pair of loopback ports (port and port + 10000) in 50 tries`);
}

async function canListen(port: number): Promise<boolean> {
  const server = createServer();
  try {
    server.listen(port, HOST);
    await once(server, 'listening');
    server.close();
    await once(server, 'close');
    return true;
  } catch {
    return false;
  }
}

/** Run a program to its end within `ms`, failing with its output when it fails or hangs. */
async function run(program: string, args: string[], ms: number): Promise<string> {
  const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  const name = `${program.split('/').pop()} ${args.slice(0, 2).join(' ')}`;
  if (signal === 'SIGKILL')
    throw new Error(`${name} did not finish within ${ms} ms:\n${output.slice(-2000)}`);
  if (code !== 0) throw new Error(`${name} failed (exit ${code ?? signal}):\n${output.slice(-2000)}`);
  return output;
}
