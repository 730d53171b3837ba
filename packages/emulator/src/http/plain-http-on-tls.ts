import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';

/** How long a new connection may stay silent before its first bytes (a TLS client speaks first). */
const FIRST_BYTES_TIMEOUT_MS = 10_000;

/**
 * S156: a plain http request sent to the https port gets a short `400` naming the https URL to use (as nginx
 * answers "The plain HTTP request was sent to HTTPS port"), not a connection reset. Each new connection's first
 * chunk is looked at: when it starts like an HTTP method (capital letters, then a space or nothing yet; a TLS
 * record starts with byte 0x16, never a letter), the answer is written in plain text and the connection closed;
 * anything else goes back into the socket, unread, and on to TLS as before. Nothing beyond the first chunk is
 * read, and the Host header the client sent is never echoed: the URL is the emulator's one base URL.
 * Call before the server listens; returns the server.
 */
export function answerPlainHttpOnTls(server: HttpsServer, baseUrl: () => string): HttpsServer {
  const tlsListeners = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    const ignore = () => {};
    socket.on('error', ignore);
    socket.setTimeout(FIRST_BYTES_TIMEOUT_MS, () => socket.destroy());
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      if (looksLikeHttp(chunk)) {
        answer(socket, baseUrl());
        return;
      }
      socket.setTimeout(0);
      socket.off('error', ignore);
      socket.unshift(chunk);
      for (const listener of tlsListeners) listener.call(server, socket);
    });
  });
  return server;
}

function looksLikeHttp(chunk: Buffer): boolean {
  return /^[A-Z]+(?: |$)/.test(chunk.subarray(0, 16).toString('latin1'));
}

function answer(socket: Socket, url: string): void {
  const body = `This is an https port: the plain http request was refused. Use ${url}/\n`;
  socket.end(
    'HTTP/1.1 400 Bad Request\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
  // Whatever else the client sends is dropped, not kept, until it closes (or the timeout above ends it):
  // closing with unread bytes would reset the connection before the client reads the answer.
  socket.resume();
}
