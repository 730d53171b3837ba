// A scripted mail server on loopback for attack tests: each connection gets a greeting and answers from a
// script, and the script may flood the connection with a line as fast as the other end takes it (never faster,
// so that this process's own memory stays flat) or drip lines slowly. It counts connections and what it sent.
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';

export interface HostileServer {
  port: number;
  /** Connections accepted so far. */
  connections(): number;
  /** Connections open now, and the most that were open at once. */
  open(): number;
  maxOpen(): number;
  /** Bytes written to all connections. */
  sent(): number;
  /** Resolves when every connection accepted so far has been closed (by either side). */
  allClosed(): Promise<void>;
  close(): Promise<void>;
}

export interface Script {
  /** Written on connect (before any command). */
  greet?(s: Socket, server: Pump): void;
  /** Each line the client sends, without its line ending. */
  onLine?(s: Socket, line: string, server: Pump): void;
}

export interface Pump {
  /** Writes `line` again and again, as fast as the other end takes it, until it closes (or `maxBytes`). */
  flood(s: Socket, line: string, maxBytes?: number): void;
  /** Writes `line` every `everyMs` until the other end closes. */
  drip(s: Socket, line: string, everyMs: number): void;
}

const MAX_FLOOD = 512 * 1024 * 1024;

export async function startHostileServer(script: Script): Promise<HostileServer> {
  let connections = 0;
  let open = 0;
  let maxOpen = 0;
  let sent = 0;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let waiters: (() => void)[] = [];
  const pump: Pump = {
    flood(s, line, maxBytes = MAX_FLOOD) {
      const chunk = Buffer.from(line.repeat(Math.max(1, Math.floor(65_536 / line.length))), 'latin1');
      let written = 0;
      const go = () => {
        while (!s.destroyed && written < maxBytes) {
          written += chunk.length;
          sent += chunk.length;
          if (!s.write(chunk)) return;
        }
      };
      s.on('drain', go);
      go();
    },
    drip(s, line, everyMs) {
      const timer = setInterval(() => {
        if (s.destroyed) return void clearInterval(timer);
        sent += line.length;
        s.write(line);
      }, everyMs);
      timers.add(timer);
      s.once('close', () => {
        clearInterval(timer);
        timers.delete(timer);
      });
    },
  };
  const server: Server = createServer((s) => {
    connections++;
    open++;
    maxOpen = Math.max(maxOpen, open);
    sockets.add(s);
    s.on('error', () => {});
    s.once('close', () => {
      open--;
      sockets.delete(s);
      if (open === 0) {
        for (const w of waiters) w();
        waiters = [];
      }
    });
    let buffer = '';
    s.on('data', (d: Buffer) => {
      buffer += d.toString('latin1');
      if (buffer.length > 1_000_000) buffer = buffer.slice(-1000); // a client flooding us is not our subject
      let i: number;
      while ((i = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, i).replace(/\r$/, '');
        buffer = buffer.slice(i + 1);
        script.onLine?.(s, line, pump);
      }
    });
    script.greet?.(s, pump);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    open: () => open,
    maxOpen: () => maxOpen,
    sent: () => sent,
    allClosed: () => (open === 0 ? Promise.resolve() : new Promise((r) => waiters.push(r))),
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearInterval(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
