// TLS trust failures are configuration: exit 2 with the cause and the fixes
// (NODE_EXTRA_CA_CERTS, a profile's CA file, `profile add --emulator https://…` storing the emulator's CA),
// never "cannot reach … try again later". Against the emulator's own https with its local CA.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, startEmulator } from '@tokenloop/emulator';
import { baseEnv, freshHome, runCli, tempDir } from './support/cli.js';

describe('TLS trust failures', () => {
  let em: RunningEmulator;
  before(async () => {
    em = await startEmulator({
      https: true,
      dataDir: join(tempDir(), 'emulator'),
      autoLogin: 'bob',
      settings: { deviceCodeInterval: 1 },
    });
  });
  after(() => em.close());
  const flags = () => ['--authority', `${em.url}/organizations`, '--client-id', SAMPLE_IDS.publicApp];

  it('an untrusted certificate is exit 2 naming the cause and the fixes, not "cannot reach"', async () => {
    const r = await runCli(['login', '--device', ...flags()], baseEnv(freshHome()));
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`cannot verify the TLS certificate of ${em.url.replaceAll('.', '\\.')}`),
    );
    assert.match(r.stderr, /not trusted|does not trust/);
    assert.match(r.stderr, /fix: .*--ca-file/);
    assert.match(r.stderr, /NODE_EXTRA_CA_CERTS/);
    assert.doesNotMatch(r.stderr, /cannot reach|try again/i);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });

  it("doctor names the same fix as every other command: --ca-file (a CLI option), not the library's http.ca", async () => {
    const r = await runCli(['doctor', ...flags()], baseEnv(freshHome()));
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /✗ provider: cannot verify the TLS certificate/);
    assert.match(r.stderr, /fix: .*`tokenloop login [^`]*--ca-file [^`]+`/);
    assert.doesNotMatch(r.stderr, /http\.ca/);
  });

  it('NODE_EXTRA_CA_CERTS is a fix', async () => {
    const env = baseEnv(freshHome(), { NODE_EXTRA_CA_CERTS: em.caCertFile! });
    const r = await runCli(['login', '--device', ...flags()], env);
    assert.equal(r.code, 0, r.stderr);
  });

  it('--ca-file is a fix, and a login remembers it in its profile', async () => {
    const env = baseEnv(freshHome());
    const r = await runCli(['login', '--device', ...flags(), '--ca-file', em.caCertFile!], env);
    assert.equal(r.code, 0, r.stderr);
    const profiles = JSON.parse((await runCli(['profile', 'list', '--json'], env)).stdout) as {
      profiles: Record<string, { caFile?: string }>;
    };
    assert.equal(profiles.profiles.default?.caFile, em.caCertFile);
    const whoami = await runCli(['whoami'], env);
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.equal((await runCli(['token', '--force-refresh'], env)).code, 0, 'refreshing trusts it too');
    assert.equal((await runCli(['doctor'], env)).code, 0);
  });

  it("profile add --emulator https://… stores the emulator's own CA", async () => {
    const home = freshHome();
    // The emulator keeps its CA in its data folder: the CLI's default one for this TOKENLOOP_HOME.
    const local = await startEmulator({
      https: true,
      dataDir: join(home, 'emulator'),
      autoLogin: 'bob',
      settings: { deviceCodeInterval: 1 },
    });
    try {
      const env = baseEnv(home);
      const add = await runCli(['profile', 'add', 'local', '--emulator', local.url], env);
      assert.equal(add.code, 0, add.stderr);
      assert.match(add.stderr, /CA certificate/);
      const login = await runCli(['login', '--device'], env);
      assert.equal(login.code, 0, login.stderr);
      assert.equal((await runCli(['token'], env)).code, 0);
    } finally {
      await local.close();
    }
  });

  it('profile add --emulator https://… whose CA is not in the default folder says how to give it', async () => {
    const r = await runCli(['profile', 'add', 'local', '--emulator', em.url], baseEnv(freshHome()));
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /fix: .*--ca-file/);
    const fixed = await runCli(
      ['profile', 'add', 'local', '--emulator', em.url, '--ca-file', em.caCertFile!],
      baseEnv(freshHome()),
    );
    assert.equal(fixed.code, 0, fixed.stderr);
  });
});
