// A private two-host network for tests that need a server that is NOT on loopback: two network namespaces joined
// by a veth pair, the "client" side 192.0.2.1 and the "server" side 192.0.2.2 (TEST-NET-1, RFC 5737). Both ends
// live inside the namespaces, so the machine's own addresses and routes are never touched. Programs run on a side
// with `ip netns exec`. Needs CAP_NET_ADMIN (the test suite runs as root, as Dovecot's tests do).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';

export interface TestNetwork {
  /** The namespaces: run the program under test in `client`, the fake server in `server`. */
  client: string;
  server: string;
  clientAddress: '192.0.2.1';
  serverAddress: '192.0.2.2';
  /** Starts `argv` inside namespace `ns`: the child's pid is the program's own (`ip netns exec` execs it). */
  spawnIn(ns: string, argv: string[], env?: NodeJS.ProcessEnv): ChildProcess;
  /** Removes both namespaces (and with them the veth pair). */
  remove(): void;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
const made = new Set<string>();
process.on('exit', () => {
  for (const ns of made) {
    try {
      ip('netns', 'del', ns);
    } catch {
      // already gone
    }
  }
});

let count = 0;

/** Creates the two namespaces and the link between them; `remove()` (or process exit) deletes them. */
export function createTestNetwork(): TestNetwork {
  const tag = `tlm${process.pid}${String.fromCharCode(97 + (count++ % 26))}`; // ≤ 15 characters (IFNAMSIZ)
  const client = `${tag}c`;
  const server = `${tag}s`;
  ip('netns', 'add', client);
  made.add(client);
  ip('netns', 'add', server);
  made.add(server);
  ip('link', 'add', `${tag}a`, 'netns', client, 'type', 'veth', 'peer', 'name', `${tag}b`, 'netns', server);
  for (const [ns, dev, address] of [
    [client, `${tag}a`, '192.0.2.1/24'],
    [server, `${tag}b`, '192.0.2.2/24'],
  ] as const) {
    ip('-n', ns, 'addr', 'add', address, 'dev', dev);
    ip('-n', ns, 'link', 'set', dev, 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
  return {
    client,
    server,
    clientAddress: '192.0.2.1',
    serverAddress: '192.0.2.2',
    spawnIn: (ns, argv, env) =>
      spawn('ip', ['netns', 'exec', ns, ...argv], {
        env: env ?? process.env,
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
    remove() {
      for (const ns of [client, server]) {
        try {
          ip('netns', 'del', ns);
        } catch {
          // already gone
        }
        made.delete(ns);
      }
    },
  };
}

/** One step of a line conversation: send a line (if any), then read lines until one matches `until`. */
export interface Step {
  send?: string;
  until: RegExp;
}

// Runs inside the namespace: a minimal line client on 127.0.0.1:PORT that follows the steps, then prints every
// line it received as one JSON array (also when the connection closes or a step times out).
const CLIENT = `
const net = require('node:net');
const [port, stepsJson] = process.argv.slice(1);
const steps = JSON.parse(stepsJson).map((s) => ({ send: s.send, until: new RegExp(s.until) }));
const seen = [];
let buffer = '';
let step = 0;
const done = () => { process.stdout.write(JSON.stringify(seen)); process.exit(0); };
const socket = net.connect(Number(port), '127.0.0.1');
socket.on('error', done);
socket.on('close', done);
setTimeout(done, 30000).unref();
const advance = () => { if (step >= steps.length) return done(); if (steps[step].send !== undefined) socket.write(steps[step].send + '\\r\\n'); };
socket.on('data', (d) => {
  buffer += d.toString('latin1');
  let i;
  while ((i = buffer.indexOf('\\n')) >= 0) {
    const line = buffer.slice(0, i).replace(/\\r$/, '');
    buffer = buffer.slice(i + 1);
    seen.push(line);
    if (step < steps.length && steps[step].until.test(line)) { step++; advance(); }
  }
});
`;

/**
 * Talks to 127.0.0.1:`port` inside namespace `ns` (a loopback listener there cannot be reached from outside):
 * the first step waits for the greeting (no `send`), each further step sends a line and waits for its answer.
 */
export function converseIn(net: TestNetwork, ns: string, port: number, steps: Step[]): Promise<string[]> {
  const child = net.spawnIn(ns, [
    process.execPath,
    '-e',
    CLIENT,
    String(port),
    JSON.stringify(steps.map((s) => ({ send: s.send, until: s.until.source }))),
  ]);
  child.stdin!.end();
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) =>
    child.once('exit', () => {
      try {
        resolve(JSON.parse(out) as string[]);
      } catch {
        reject(new Error(`the client in ${ns} printed no transcript`));
      }
    }),
  );
}
