// S75: a local process cannot grow the mail proxy's memory before logging in. Each front (IMAP, POP3, SMTP) of
// the real proxy process gets 20 MiB of pipelined commands from a client that never reads the answers, and one
// endless line: the proxy's resident memory (/proc/PID/status VmRSS) must stay under a fixed bound, and the
// client must be disconnected, with a log line, within a bounded time.
// S76: after login the relays pass data on no faster than the receiver takes it: a mail program that does not
// read pauses the server's side instead of filling the proxy's memory (pipeSession for POP3 / SMTP, relayImap).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { wrapSocket } from '../src/commands/mail/line-connection.js';
import { relayImap } from '../src/commands/mail/proxy/imap-relay.js';
import { pipeSession } from '../src/commands/mail/proxy/pipe-session.js';
import { TS_NAME, sourceFiles } from '../../tokenloop/test/support/package-sources.js';
import { baseEnv, freshHome } from './support/cli.js';
import { type RunningProxy, startProxy } from './support/mail-proxy.js';

const MiB = 1024 * 1024;
/** How far the proxy's memory may grow over its resting size during a flood. */
const RSS_GROWTH_BOUND = 64 * MiB;
/** How long a client that does not read may take to be disconnected (the proxy's stall limit is 10 s). */
const DISCONNECT_WITHIN_MS = 30_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const rssOf = (pid: number): number => {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(m, 'VmRSS is readable');
  return Number(m[1]) * 1024;
};

/**
 * Connects, writes `flood` and never reads. Resolves when the proxy has closed the connection (the write fails
 * or the socket closes), with the largest RSS seen meanwhile; gives up (and disconnects itself) when the RSS
 * bound is passed or the time is up, so that a failing run cannot take the machine's memory.
 */
async function floodWithoutReading(
  port: number,
  pid: number,
  flood: Buffer,
  bound: number,
): Promise<{ disconnected: boolean; peakRss: number; ms: number }> {
  const started = Date.now();
  const socket = connect({ port, host: '127.0.0.1' });
  socket.pause(); // never read: what the proxy sends piles up in the kernel and then in the proxy
  let closed = false;
  socket.on('error', () => {});
  socket.once('close', () => (closed = true));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(flood);
  let peakRss = 0;
  while (!closed && Date.now() - started < DISCONNECT_WITHIN_MS) {
    peakRss = Math.max(peakRss, rssOf(pid));
    if (peakRss > bound) break;
    await sleep(50);
  }
  const disconnected = closed;
  socket.destroy();
  return { disconnected, peakRss, ms: Date.now() - started };
}

const repeat = (line: string, bytes: number) =>
  Buffer.from(line.repeat(Math.ceil(bytes / line.length)), 'latin1');

const FRONTS = [
  { protocol: 'imap', command: 'a1 CAPABILITY\r\n' },
  { protocol: 'pop3', command: 'CAPA\r\n' },
  { protocol: 'smtp', command: 'NOOP\r\n' },
] as const;

describe('S75 mail proxy: pipelined floods and endless lines before login leave its memory flat', () => {
  let proxy: RunningProxy;
  before(async () => {
    // A provider that is never contacted, and servers that do not answer: everything here happens before login.
    proxy = await startProxy(
      [
        ...['--issuer', 'http://127.0.0.1:9/', '--client-id', 'x'],
        ...['--imap', '0=imaps://127.0.0.1:9', '--pop3', '0=pop3s://127.0.0.1:9'],
        ...['--smtp', '0=submissions://127.0.0.1:9'],
      ],
      baseEnv(freshHome()),
    );
    await sleep(500);
  });
  after(async () => {
    assert.equal(await proxy?.stop(), 0, 'the proxy ends cleanly');
  });

  for (const { protocol, command } of FRONTS) {
    it(`S75 ${protocol}: 20 MiB of pipelined ${command.trim().split(' ').at(-1)} from a client that never reads`, async (t) => {
      const before = proxy.log().length;
      // What this flood adds, from what the proxy holds now (earlier floods' garbage may not be returned yet).
      const resting = rssOf(proxy.pid);
      const r = await floodWithoutReading(
        proxy.ports[protocol]!,
        proxy.pid,
        repeat(command, 20 * MiB),
        resting + RSS_GROWTH_BOUND,
      );
      t.diagnostic(`RSS +${((r.peakRss - resting) / MiB).toFixed(1)} MiB, disconnected after ${r.ms} ms`);
      assert.ok(
        r.peakRss <= resting + RSS_GROWTH_BOUND,
        `RSS grew by ${Math.round((r.peakRss - resting) / MiB)} MiB (bound ${RSS_GROWTH_BOUND / MiB} MiB)`,
      );
      assert.ok(r.disconnected, `the client was disconnected (waited ${r.ms} ms)`);
      await sleep(100);
      assert.match(
        proxy.log().slice(before),
        new RegExp(`${protocol}#\\d+ disconnected: the client sends commands but does not read the answers`),
      );
    });

    it(`S75 ${protocol}: an endless line is cut off at the line limit`, async () => {
      const before = proxy.log().length;
      // What this flood adds, from what the proxy holds now (earlier floods' garbage may not be returned yet).
      const resting = rssOf(proxy.pid);
      const r = await floodWithoutReading(
        proxy.ports[protocol]!,
        proxy.pid,
        repeat('x', 20 * MiB),
        resting + RSS_GROWTH_BOUND,
      );
      assert.ok(
        r.peakRss <= resting + RSS_GROWTH_BOUND,
        `RSS grew by ${Math.round((r.peakRss - resting) / MiB)} MiB from ${Math.round(resting / MiB)} MiB (bound ${RSS_GROWTH_BOUND / MiB} MiB; disconnected after ${r.ms} ms)`,
      );
      assert.ok(r.disconnected, 'the client was disconnected');
      assert.ok(r.ms < 5000, `at once (${r.ms} ms)`);
      await sleep(100);
      assert.match(
        proxy.log().slice(before),
        new RegExp(`${protocol}#\\d+ disconnected: a line longer than`),
      );
    });
  }
});

/** A connected pair of loopback sockets: `[ours, theirs]`. */
async function socketPair(server: Server): Promise<[Socket, Socket]> {
  const theirs = new Promise<Socket>((resolve) => server.once('connection', resolve));
  const ours = connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1' });
  await new Promise<void>((resolve) => ours.once('connect', () => resolve()));
  return [ours, await theirs];
}

describe('S76 after login the relays follow the slower side instead of buffering', () => {
  let server: Server;
  before(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  });
  after(() => server.close());

  const relays = {
    'POP3 / SMTP (pipeSession)': (client: Socket, upstream: Socket) =>
      pipeSession({
        client: { socket: client, pending: Buffer.alloc(0) },
        upstream: { socket: upstream, pending: Buffer.alloc(0) },
        lostLine: '-ERR gone',
        log: () => {},
      }),
    'IMAP (relayImap)': (client: Socket, upstream: Socket) =>
      relayImap({
        client: { socket: client, pending: Buffer.alloc(0) },
        upstream: { socket: upstream, pending: Buffer.alloc(0) },
        reconnect: () => Promise.reject(new Error('no reconnect here')),
        log: () => {},
      }),
  };

  for (const [name, relay] of Object.entries(relays)) {
    it(`S76 ${name}: a server sending 64 MiB to a mail program that does not read is paused`, async () => {
      // The mail program (never reads) ↔ proxy client side; proxy upstream side ↔ the server.
      const [program, proxyClient] = await socketPair(server);
      const [proxyUpstream, mailServer] = await socketPair(server);
      program.pause();
      const done = relay(proxyClient, proxyUpstream);
      const line = Buffer.from(`* 1 FETCH (BODY[] "${'x'.repeat(1000)}")\r\n`, 'latin1');
      let sent = 0;
      let peak = 0;
      const deadline = Date.now() + 4000;
      // The server writes as fast as the relay takes it.
      while (sent < 64 * MiB && Date.now() < deadline) {
        if (!mailServer.write(line))
          await Promise.race([new Promise((r) => mailServer.once('drain', r)), sleep(50)]);
        sent += line.length;
        peak = Math.max(peak, proxyClient.writableLength);
      }
      for (let i = 0; i < 20; i++) {
        peak = Math.max(peak, proxyClient.writableLength);
        await sleep(25);
      }
      assert.ok(peak <= 4 * MiB, `the proxy buffered ${Math.round(peak / MiB)} MiB for the mail program`);
      assert.ok(proxyUpstream.isPaused(), 'the server side is paused while the mail program does not read');
      // When the program reads again, everything arrives.
      let received = 0;
      program.on('data', (d: Buffer) => (received += d.length));
      program.resume();
      mailServer.end();
      const until = Date.now() + 20_000;
      while (received < sent && Date.now() < until) await sleep(50);
      // (pipeSession then adds its line saying that the server closed the connection)
      assert.ok(
        received >= sent,
        `every byte reached the mail program once it read (${received} of ${sent})`,
      );
      program.destroy();
      await done;
    });
  }
});

describe('S75 line connections bound what they hold', () => {
  it('S75 wrapSocket pauses reading while unread input is over its bound', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const [ours, theirs] = await socketPair(server);
    const conn = wrapSocket(theirs, { timeoutMs: 2000 });
    ours.write(repeat('NOOP\r\n', 8 * MiB));
    await sleep(500);
    assert.ok(theirs.isPaused(), 'reading paused with unread lines waiting');
    assert.equal(await conn.readLine(), 'NOOP');
    conn.close();
    ours.destroy();
    server.close();
  });

  it('S75 a connection closed for breaking a limit hands out none of the lines it still held', async () => {
    // The proxy answered the pipelined lines a cut-off client had left behind, each answer written to a closed
    // socket: tens of MiB of garbage after a flood (the flood test above saw the RSS grow after the cut).
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const [ours, theirs] = await socketPair(server);
    let limit = '';
    const conn = wrapSocket(theirs, { timeoutMs: 2000, maxLine: 100, onLimit: (why) => (limit = why.kind) });
    const closed = new Promise<void>((resolve) => theirs.once('close', () => resolve()));
    ours.on('error', () => {});
    ours.write(Buffer.concat([repeat('CAPA\r\n', 6000), Buffer.alloc(200, 'x')]));
    await closed;
    assert.equal(limit, 'long-line', 'closed for the long line');
    await assert.rejects(conn.readLine(), 'no line is handed out after the cut');
    conn.writeLine('+OK nobody reads this'); // a write after the cut is dropped, not an error
    ours.destroy();
    server.close();
  });
});

describe('S75 S76 sweep: every write of the mail code is bounded', () => {
  const MAIL = join(import.meta.dirname, '..', 'src', 'commands', 'mail');
  const sources = sourceFiles(MAIL, { names: TS_NAME }).map((f) => ({
    file: relative(MAIL, f).split('\\').join('/'),
    text: readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, ''),
  }));

  it('S75 S76 sockets are written only by writeLine, relayWrite, or with one fixed protocol line', () => {
    assert.ok(sources.length > 15, 'the sources were found');
    const unbounded: string[] = [];
    for (const { file, text } of sources) {
      if (file === 'line-connection.ts' || file === 'proxy/relay-write.ts') continue;
      for (const m of text.matchAll(/([\w.]+)\.write\(([^\n]*)/g)) {
        if (/^process\.(stdout|stderr)$/.test(m[1]!)) continue;
        if (/^`[^`]*\\r\\n`\);/.test(m[2]!)) continue; // one protocol line the proxy makes itself
        unbounded.push(`${file}: ${m[0].slice(0, 80)}`);
      }
    }
    assert.deepEqual(unbounded, []);
  });

  it('S75 every front reads its mail program through frontConnection (the bounded line reader)', () => {
    const fronts = sources.filter(({ text }) => /export async function serve\w+\(socket: Socket/.test(text));
    assert.deepEqual(fronts.map((f) => f.file).sort(), [
      'proxy/imap-front.ts',
      'proxy/pop3-front.ts',
      'proxy/smtp-front.ts',
    ]);
    for (const { file, text } of fronts) assert.match(text, /= frontConnection\(socket, ctx, id\)/, file);
    const wrappers = sources.filter(({ text }) => /\bwrapSocket\(/.test(text)).map((f) => f.file);
    assert.deepEqual(wrappers.sort(), ['line-connection.ts', 'proxy/front-connection.ts']);
  });
});
