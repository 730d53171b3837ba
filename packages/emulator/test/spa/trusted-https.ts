/**
 * https emulators that Chromium trusts without touching the machine: every emulator started here shares one data
 * directory (one local CA, one server key), and Chromium is told to accept exactly that server key
 * (`--ignore-certificate-errors-spki-list=<SHA-256 of its SubjectPublicKeyInfo>`), checked first to be signed
 * by the local CA. Nothing outside the temporary data directory, which `close` removes.
 */
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../src/index.ts';

export interface TrustedHttps {
  /** The Chromium flag that trusts the emulators' server key. */
  chromiumFlag: string;
  start(options?: Omit<EmulatorOptions, 'https' | 'dataDir'>): Promise<RunningEmulator>;
  close(): Promise<void>;
}

export async function trustedHttps(): Promise<TrustedHttps> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tokenloop-spa-'));
  try {
    const bootstrap = await startEmulator({ https: true, dataDir });
    const caFile = bootstrap.caCertFile!;
    await bootstrap.close();
    const ca = new X509Certificate(await readFile(caFile, 'utf8'));
    const server = new X509Certificate(await readFile(join(dirname(caFile), 'server.pem'), 'utf8'));
    assert.ok(server.verify(ca.publicKey), 'the server certificate is the local CA’s');
    const spki = createHash('sha256')
      .update(server.publicKey.export({ type: 'spki', format: 'der' }))
      .digest('base64');
    return {
      chromiumFlag: `--ignore-certificate-errors-spki-list=${spki}`,
      start: async (options = {}) => {
        const e = await startEmulator({ ...options, https: true, dataDir });
        assert.equal(e.caCertFile, caFile, 'the same local CA');
        return e;
      },
      close: () => rm(dataDir, { recursive: true, force: true }),
    };
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}
