// An https emulator on loopback (its own local CA, in a temporary data folder removed on close), a fetch that
// trusts exactly that CA (for a client's `http.fetch`, the Graph SDK's `fetchOptions`), and the emulator's
// server key and certificate (valid for 127.0.0.1 and localhost), for a test's own https server.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '@tokenloop/emulator';
import type { FetchLike } from 'tokenloop';
import { Agent, fetch as undiciFetch } from 'undici';

export interface HttpsEmulator {
  em: RunningEmulator;
  /** The emulator's CA (PEM). */
  ca: string;
  /** Key and certificate for another loopback server, issued by the same CA. */
  tls: { key: string; cert: string };
  /** undici's fetch trusting the CA. */
  fetch: FetchLike;
  /** The dispatcher behind `fetch`, for libraries that take fetch options. */
  dispatcher: Agent;
  close(): Promise<void>;
}

export async function startHttpsEmulator(options: EmulatorOptions = {}): Promise<HttpsEmulator> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tl-azure-em-'));
  try {
    const em = await startEmulator({ ...options, https: true, dataDir });
    const tlsDir = dirname(em.caCertFile!);
    const ca = readFileSync(em.caCertFile!, 'utf8');
    const dispatcher = new Agent({ connect: { ca } });
    const trusted: FetchLike = (input, init) =>
      undiciFetch(input, { ...(init as object), dispatcher } as Parameters<
        typeof undiciFetch
      >[1]) as unknown as Promise<Response>;
    return {
      em,
      ca,
      tls: {
        key: readFileSync(join(tlsDir, 'server-key.pem'), 'utf8'),
        cert: readFileSync(join(tlsDir, 'server.pem'), 'utf8'),
      },
      dispatcher,
      fetch: trusted,
      async close() {
        await dispatcher.close();
        await em.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}
