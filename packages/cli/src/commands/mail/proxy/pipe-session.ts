import type { Socket } from 'node:net';
import { relayWrite } from './relay-write.js';

/**
 * Relays an authenticated POP3 or SMTP session byte for byte. When the server goes away first, the client
 * is told in its protocol's words (unless it had asked to quit) and the connection is closed; POP3 and SMTP
 * programs open a new connection for their next check or message, which logs in again with a fresh token.
 */
export function pipeSession(o: {
  client: { socket: Socket; pending: Buffer };
  upstream: { socket: Socket; pending: Buffer };
  /** The line a client gets when the server dropped the connection. */
  lostLine: string;
  log(text: string): void;
}): Promise<void> {
  const { socket: client } = o.client;
  const { socket: upstream } = o.upstream;
  let quitting = false;
  return new Promise((resolve) => {
    client.on('data', (chunk: Buffer) => {
      // Clients send QUIT as a command of its own: message bodies are never scanned.
      if (chunk.length <= 8 && /^QUIT\r?\n?$/i.test(chunk.toString('latin1'))) quitting = true;
      relayWrite(upstream, chunk, client);
    });
    upstream.on('data', (chunk: Buffer) => relayWrite(client, chunk, upstream));
    client.on('error', () => {});
    upstream.on('error', () => {});
    upstream.once('close', () => {
      if (!client.destroyed) {
        if (!quitting) o.log('the server closed the connection; closing the client connection');
        if (quitting) client.end();
        else client.end(`${o.lostLine}\r\n`);
      }
    });
    client.once('close', () => {
      upstream.destroy();
      resolve();
    });
    if (o.upstream.pending.length) relayWrite(client, o.upstream.pending, upstream);
    if (o.client.pending.length) relayWrite(upstream, o.client.pending, client);
  });
}
