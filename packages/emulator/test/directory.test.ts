import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/directory/load.ts';
import { sampleConfig } from '../src/directory/sample.ts';
import { configInput } from '../src/directory/schema.ts';
import { startEmulator } from '../src/index.ts';

describe('directory config', () => {
  it('the built-in sample satisfies the config schema (it is not re-validated at every start)', () => {
    const parsed = configInput.safeParse(sampleConfig());
    assert.equal(parsed.success, true, parsed.success ? '' : JSON.stringify(parsed.error.issues));
  });

  it('derives the same ids on every load when a config leaves them out', async () => {
    const config = {
      tenants: [{ domain: 'example.onmicrosoft.com' }],
      users: [{ username: 'dev@example.onmicrosoft.com', password: 'pw' }],
      apps: [{ name: 'CLI', type: 'public', redirectUris: ['http://127.0.0.1'] }],
    };
    const a = await loadConfig(config);
    const b = await loadConfig(structuredClone(config));
    assert.deepEqual([...a.directory.apps.keys()], [...b.directory.apps.keys()]);
    assert.deepEqual([...a.directory.users.keys()], [...b.directory.users.keys()]);
    assert.match(
      [...a.directory.tenants.keys()][0]!,
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('rejects bad configs with every problem named by its path', async () => {
    await assert.rejects(
      startEmulator({ config: { tenants: [], apps: [{ name: 'x', type: 'robot' }] } as never }),
      (err: Error) =>
        err.name === 'EmulatorOptionsError' &&
        /tenants/.test(err.message) &&
        /apps\.0\.type/.test(err.message),
    );
    await assert.rejects(
      startEmulator({
        config: {
          tenants: [{ domain: 'a.example' }],
          apps: [{ name: 'p', type: 'public', secret: 'abcdefghij' }],
        },
      }),
      /a public client cannot have a secret/,
    );
    await assert.rejects(
      startEmulator({
        config: {
          tenants: [{ domain: 'a.example' }],
          apps: [{ name: 'w', type: 'web', redirectUris: ['http://example.com/cb'] }],
        },
      }),
      /must use https/,
    );
  });
});
