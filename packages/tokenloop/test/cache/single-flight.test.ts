// C4: refresh is single-flight — in one process (100 concurrent callers) and across processes sharing one
// encrypted cache file (8 processes) — proven by the emulator's token-request counts.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, startEmulator } from '@tokenloop/emulator';
import { createTokenClient, encryptedFileStore } from 'tokenloop';
import { signInWithExpiredToken } from '../support/expired-sign-in.js';

const refreshes = (em: RunningEmulator) =>
  em.stats().token_requests.refresh_token?.[SAMPLE_IDS.publicApp] ?? 0;

describe('single-flight refresh (C4)', () => {
  let em: RunningEmulator;
  let dir: string;
  before(async () => {
    em = await startEmulator({ autoLogin: 'alice', settings: { deviceCodeInterval: 1 } });
    dir = await mkdtemp(join(tmpdir(), 'tokenloop-sf-'));
  });
  after(async () => {
    await em.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('100 concurrent silent calls on an expired token in one process → exactly 1 token request', async () => {
    const client = createTokenClient({
      authority: `${em.url}/organizations`,
      clientId: SAMPLE_IDS.publicApp,
    });
    await signInWithExpiredToken(client);
    const before = refreshes(em);
    const results = await Promise.all(
      Array.from({ length: 100 }, () => client.acquireTokenSilent({ scopes: ['User.Read'] })),
    );
    assert.equal(refreshes(em) - before, 1);
    assert.equal(new Set(results.map((r) => r.accessToken)).size, 1);
    assert.ok(results[0]!.expiresOn!.getTime() > Date.now());
  });

  it('8 processes sharing one encrypted cache file, refreshing at once → exactly 1 token request', async () => {
    const path = join(dir, 'tokens.cache');
    const authority = `${em.url}/organizations`;
    const client = createTokenClient({
      authority,
      clientId: SAMPLE_IDS.publicApp,
      cache: encryptedFileStore({ path, keyring: 'off' }),
    });
    await signInWithExpiredToken(client);
    await client.close();
    const before = refreshes(em);
    const startAt = Date.now() + 2500;
    const child = join(import.meta.dirname, 'children', 'silent-at.ts');
    const outputs = await Promise.all(
      Array.from(
        { length: 8 },
        () =>
          new Promise<string>((resolve, reject) => {
            const p = spawn(
              process.execPath,
              ['--import', 'tsx', child, authority, SAMPLE_IDS.publicApp, path, String(startAt)],
              { stdio: ['ignore', 'pipe', 'pipe'] },
            );
            let out = '';
            let err = '';
            p.stdout.on('data', (d: Buffer) => (out += d.toString()));
            p.stderr.on('data', (d: Buffer) => (err += d.toString()));
            p.on('close', (code) =>
              code === 0 ? resolve(out) : reject(new Error(`child exited ${code}: ${err.slice(0, 500)}`)),
            );
          }),
      ),
    );
    const results = outputs.map((o) => JSON.parse(o.trim()) as { fromCache: boolean; token: string });
    assert.equal(refreshes(em) - before, 1, 'exactly one refresh across 8 processes');
    assert.equal(new Set(results.map((r) => r.token)).size, 1, 'every process got the same new token');
    assert.equal(
      results.filter((r) => !r.fromCache).length,
      1,
      'one process refreshed, seven read its result',
    );
  });
});
