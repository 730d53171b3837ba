import { type Socket, connect as tcpConnect } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';

/** A text protocol connection (IMAP, POP3, SMTP): CRLF lines in and out, upgradable to TLS (STARTTLS). */
export interface LineConnection {
  readLine(timeoutMs?: number): Promise<string>;
  writeLine(line: string): void;
  /** Upgrade the plain connection to TLS in place. */
  startTls(): Promise<void>;
  readonly tls: boolean;
  close(): void;
}

export interface ConnectOptions {
  host: string;
  port: number;
  tls: boolean;
  /** Accept an untrusted certificate (self-signed test servers). */
  insecure?: boolean;
  timeoutMs?: number;
}

export async function openLineConnection(o: ConnectOptions): Promise<LineConnection> {
  const timeoutMs = o.timeoutMs ?? 15_000;
  let socket: Socket | TLSSocket = await new Promise((resolve, reject) => {
    const s = o.tls
      ? tlsConnect({ host: o.host, port: o.port, servername: o.host, rejectUnauthorized: !o.insecure }, () =>
          resolve(s),
        )
      : tcpConnect({ host: o.host, port: o.port }, () => resolve(s));
    s.once('error', reject);
    s.setTimeout(timeoutMs, () => s.destroy(new Error(`no answer within ${timeoutMs} ms`)));
  });
  let isTls = o.tls;
  let buffer = '';
  const lines: string[] = [];
  const waiters: { resolve(l: string): void; reject(e: Error): void }[] = [];
  let failure: Error | undefined;
  const attach = (s: Socket | TLSSocket) => {
    s.setEncoding('utf8');
    s.on('data', (chunk: string) => {
      buffer += chunk;
      let i: number;
      while ((i = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, i).replace(/\r$/, '');
        buffer = buffer.slice(i + 1);
        const w = waiters.shift();
        if (w) w.resolve(line);
        else lines.push(line);
      }
      if (buffer.length > 1_000_000) s.destroy(new Error('the server sent an over-long line'));
    });
    const fail = (err: Error) => {
      failure = err;
      for (const w of waiters.splice(0)) w.reject(err);
    };
    s.on('error', fail);
    s.on('close', () => fail(failure ?? new Error('the server closed the connection')));
  };
  attach(socket);
  return {
    get tls() {
      return isTls;
    },
    readLine(ms = timeoutMs) {
      const ready = lines.shift();
      if (ready !== undefined) return Promise.resolve(ready);
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
        waiters.push({
          resolve: (l) => (clearTimeout(timer), resolve(l)),
          reject: (e) => (clearTimeout(timer), reject(e)),
        });
      });
    },
    writeLine(line) {
      socket.write(`${line}\r\n`);
    },
    async startTls() {
      socket.removeAllListeners('data');
      socket.removeAllListeners('close');
      socket.removeAllListeners('error');
      const plain = socket;
      socket = await new Promise<TLSSocket>((resolve, reject) => {
        const s = tlsConnect({ socket: plain, servername: o.host, rejectUnauthorized: !o.insecure }, () =>
          resolve(s),
        );
        s.once('error', reject);
      });
      isTls = true;
      attach(socket);
    },
    close() {
      socket.destroy();
    },
  };
}
