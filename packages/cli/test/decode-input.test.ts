// `tokenloop decode` reads a token as the other commands print it (`token --format header`, on standard input
// or as an argument), and says so when standard input is empty.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, startEmulator } from '@tokenloop/emulator';
import { baseEnv, freshHome, runCli } from './support/cli.js';

describe('decode input', () => {
  let em: RunningEmulator;
  before(async () => {
    em = await startEmulator({ autoLogin: 'bob', settings: { deviceCodeInterval: 1 } });
  });
  after(() => em.close());

  it('decode reads what token --format header prints', async () => {
    const env = baseEnv(freshHome());
    await runCli(['profile', 'add', 'local', '--emulator', em.url], env);
    assert.equal((await runCli(['login', '--device'], env)).code, 0);
    const header = (await runCli(['token', '--format', 'header'], env)).stdout;
    const r = await runCli(['decode', '-'], env, header);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /aud: "https:\/\/graph\.microsoft\.com"/);
    const arg = await runCli(['decode', header.trim()], env);
    assert.equal(arg.code, 0, arg.stderr);
  });

  it('decode - with nothing on standard input says the input was empty', async () => {
    const r = await runCli(['decode', '-'], baseEnv(freshHome()), '');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /standard input was empty/);
    assert.doesNotMatch(r.stderr, /pass a token or "-"/);
  });
});
