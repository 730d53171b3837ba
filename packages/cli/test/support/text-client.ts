// A minimal line-based client for IMAP / POP3 / SMTP conversations in tests: send a line, wait for a line.
import { type Socket, connect } from 'node:net';

export interface TextClient {
  send(line: string): void;
  /** Lines received until one matches `until` (inclusive); rejects on close or after `ms`. */
  waitFor(until: RegExp, ms?: number): Promise<string[]>;
  closed: Promise<void>;
  close(): void;
  socket: Socket;
}

export function textClient(port: number): Promise<TextClient> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buffer = '';
    const lines: string[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    const closed = new Promise<void>((r) =>
      socket.once('close', () => {
        ended = true;
        wake?.();
        r();
      }),
    );
    socket.on('data', (d: Buffer) => {
      buffer += d.toString('latin1');
      let i: number;
      while ((i = buffer.indexOf('\n')) >= 0) {
        lines.push(buffer.slice(0, i).replace(/\r$/, ''));
        buffer = buffer.slice(i + 1);
      }
      wake?.();
    });
    socket.once('error', reject);
    socket.once('connect', () =>
      resolve({
        socket,
        closed,
        send: (line) => void socket.write(`${line}\r\n`),
        close: () => socket.destroy(),
        async waitFor(until, ms = 10_000) {
          const seen: string[] = [];
          const deadline = Date.now() + ms;
          for (;;) {
            while (lines.length) {
              const l = lines.shift()!;
              seen.push(l);
              if (until.test(l)) return seen;
            }
            if (ended) throw new Error(`connection closed; got: ${seen.join(' | ')}`);
            const left = deadline - Date.now();
            if (left <= 0) throw new Error(`timed out waiting for ${until}; got: ${seen.join(' | ')}`);
            await new Promise<void>((r) => {
              const t = setTimeout(r, left);
              wake = () => (clearTimeout(t), (wake = undefined), r());
            });
          }
        },
      }),
    );
  });
}
