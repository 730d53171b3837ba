// A hostile mail server for tests, run as its own process (inside a test network namespace): IMAP on 143, POP3
// on 110 and SMTP submission on 587 that never offer STARTTLS — as when a network attacker strips it from the
// capability list — and the same servers with TLS from the first byte on 993, 995 and 465. Every server accepts
// any SASL login. It keeps every byte each port received; a `dump` line on standard input is answered with one
// JSON line `{ "<port>": "<base64 of what it received>" }`. Configuration: argv[2] = the certificate PEM file,
// argv[3] = its key. Prints `ready` once it listens.
import { readFileSync } from 'node:fs';
import { type Socket, createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { createServer as createTlsServer } from 'node:tls';

type Protocol = 'imap' | 'pop3' | 'smtp';
const PORTS: [number, Protocol, boolean][] = [
  [143, 'imap', false],
  [110, 'pop3', false],
  [587, 'smtp', false],
  [993, 'imap', true],
  [995, 'pop3', true],
  [465, 'smtp', true],
];
const received = new Map<number, Buffer[]>();

function converse(socket: Socket, protocol: Protocol, port: number): void {
  const write = (line: string) => socket.write(`${line}\r\n`);
  let buffer = '';
  let pendingTag: string | undefined; // an AUTH waiting for its response line
  socket.on('error', () => {});
  socket.on('data', (chunk: Buffer) => {
    received.get(port)!.push(chunk);
    buffer += chunk.toString('latin1');
    let i: number;
    while ((i = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, i).replace(/\r$/, '');
      buffer = buffer.slice(i + 1);
      answer(line);
    }
  });
  function answer(line: string): void {
    if (pendingTag !== undefined) {
      write(
        protocol === 'imap' ? `${pendingTag} OK logged in` : protocol === 'pop3' ? '+OK' : '235 2.7.0 OK',
      );
      pendingTag = undefined;
      return;
    }
    const [first = '', second = '', third] = line.split(' ');
    if (protocol === 'imap') {
      const verb = second.toUpperCase();
      if (verb === 'CAPABILITY') {
        write('* CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2 AUTH=OAUTHBEARER');
        write(`${first} OK done`);
      } else if (verb === 'AUTHENTICATE' && line.split(' ').length < 4) {
        pendingTag = first;
        write('+ ');
      } else if (verb === 'LOGOUT') {
        write('* BYE');
        write(`${first} OK done`);
        socket.end();
      } else write(`${first} OK done`);
      return;
    }
    const verb = first.toUpperCase();
    if (protocol === 'pop3') {
      if (verb === 'CAPA') ['+OK', 'SASL XOAUTH2 OAUTHBEARER', 'USER', '.'].forEach(write);
      else if (verb === 'AUTH' && third === undefined) {
        pendingTag = '';
        write('+ ');
      } else if (verb === 'QUIT') {
        write('+OK bye');
        socket.end();
      } else write('+OK');
      return;
    }
    if (verb === 'EHLO') ['250-fake.test', '250-PIPELINING', '250 AUTH XOAUTH2 OAUTHBEARER'].forEach(write);
    else if (verb === 'AUTH' && third === undefined) {
      pendingTag = '';
      write('334 ');
    } else if (verb === 'AUTH') write('235 2.7.0 OK');
    else if (verb === 'QUIT') {
      write('221 bye');
      socket.end();
    } else write('250 OK');
  }
  write(
    protocol === 'imap'
      ? '* OK fake IMAP ready'
      : protocol === 'pop3'
        ? '+OK fake POP3 ready'
        : '220 fake.test ESMTP',
  );
}

const tlsOptions = { cert: readFileSync(process.argv[2]!), key: readFileSync(process.argv[3]!) };
let listening = 0;
for (const [port, protocol, tls] of PORTS) {
  received.set(port, []);
  const onSocket = (s: Socket) => converse(s, protocol, port);
  const server = tls ? createTlsServer(tlsOptions, onSocket) : createServer(onSocket);
  server.listen(port, '0.0.0.0', () => {
    if (++listening === PORTS.length) process.stdout.write('ready\n');
  });
}
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'dump') return;
  const out: Record<string, string> = {};
  for (const [port, chunks] of received) out[port] = Buffer.concat(chunks).toString('base64');
  process.stdout.write(`${JSON.stringify(out)}\n`);
});
process.stdin.once('end', () => process.exit(0));
