// A tiny SMTP sink on 127.0.0.1: the relay target of the test mail servers (Dovecot submission, Postfix), so
// that a message sent through them can be observed. Accepts any mail, no auth; keeps each message's DATA.
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';

export interface SmtpSink {
  port: number;
  /** Messages received (DATA, lines joined with \n, dot-stuffing left as sent). */
  delivered: string[];
  /** Resolves with the first message received from now on (or already received) that matches. */
  waitFor(match: RegExp, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

export function startSmtpSink(delivered: string[] = []): Promise<SmtpSink> {
  const waiters = new Set<() => void>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    let data = false;
    let message = '';
    let buffer = '';
    socket.write('220 sink ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let i: number;
      while ((i = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (data) {
          if (line === '.') {
            data = false;
            delivered.push(message);
            message = '';
            socket.write('250 2.0.0 queued\r\n');
            for (const w of waiters) w();
          } else message += `${line}\n`;
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250-sink\r\n250 8BITMIME\r\n');
        else if (verb === 'DATA') {
          data = true;
          socket.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 2.0.0 ok\r\n');
      }
    });
    socket.on('error', () => {});
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        delivered,
        waitFor(match, timeoutMs = 10_000) {
          return new Promise((res, rej) => {
            const check = () => {
              const found = delivered.find((m) => match.test(m));
              if (found === undefined) return false;
              waiters.delete(check);
              clearTimeout(timer);
              res(found);
              return true;
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              rej(
                new Error(`the SMTP sink received no message matching ${String(match)} in ${timeoutMs} ms`),
              );
            }, timeoutMs);
            waiters.add(check);
            check();
          });
        },
        close: () =>
          new Promise<void>((res) => {
            server.close(() => res());
            // Relay clients (Postfix may keep a connection open) must not hold the close up.
            for (const s of sockets) s.destroy();
          }),
      }),
    );
  });
}
