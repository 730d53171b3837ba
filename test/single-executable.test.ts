// The single-file executable of the command line (scripts/build-sea.mjs): built from the compiled CLI into a
// temporary folder, then run with no Node on PATH, as on a machine without Node: --version, --help, the emulator
// (discovery served, SIGTERM stops it with exit 0).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const ROOT = join(import.meta.dirname, '..');
let work: string;
let exe: string;
/** Nothing on PATH (an empty folder), so no Node: as on a machine without it. */
const bare = (home: string): NodeJS.ProcessEnv => ({
  PATH: join(work, 'empty-bin'),
  HOME: home,
  TOKENLOOP_HOME: home,
  LANG: 'C.UTF-8',
});

describe('the single-file executable', { timeout: 600_000 }, () => {
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'tokenloop-sea-'));
    mkdirSync(join(work, 'empty-bin'));
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-sea.mjs'), join(work, 'out')], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    assert.equal(r.status, 0, `build-sea failed:\n${r.stdout}${r.stderr}`);
    exe = r.stdout.trim().split('\n').at(-1)!;
  });
  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('runs without Node installed: --version and --help', () => {
    const home = join(work, 'home-1');
    mkdirSync(home, { mode: 0o700 });
    const probe = spawnSync('/bin/sh', ['-c', 'command -v node || echo none'], {
      env: bare(home),
      encoding: 'utf8',
    });
    assert.equal(probe.stdout.trim(), 'none', 'no node on PATH');
    const version = spawnSync(exe, ['--version'], { env: bare(home), encoding: 'utf8' });
    const pkg = JSON.parse(readFileSync(join(ROOT, 'packages', 'cli', 'package.json'), 'utf8')) as {
      version: string;
    };
    assert.equal(version.status, 0, version.stderr);
    assert.equal(version.stdout.trim(), pkg.version);
    const help = spawnSync(exe, ['--help'], { env: bare(home), encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^Usage: tokenloop /m);
    assert.equal(help.stderr, '', 'no warnings');
  });

  it('serves the emulator (discovery on loopback) and stops on SIGTERM with exit 0', async () => {
    const home = join(work, 'home-2');
    mkdirSync(home, { mode: 0o700 });
    const child = spawn(exe, ['emulator', '--port', '0', '--json'], {
      env: bare(home),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    try {
      const ready = await new Promise<{ url: string; tenants: { id: string }[] }>((done, fail) => {
        child.stdout.on('data', (d) => {
          out += d;
          const line = out
            .split('\n')
            .slice(0, -1)
            .find((l) => l.startsWith('{'));
          if (line) done(JSON.parse(line) as { url: string; tenants: { id: string }[] });
        });
        void exited.then((code) => fail(new Error(`the emulator exited with ${code}: ${err}`)));
      });
      const tenant = ready.tenants[0]!.id;
      const discovery = await fetch(`${ready.url}/${tenant}/v2.0/.well-known/openid-configuration`);
      assert.equal(discovery.status, 200);
      const { token_endpoint } = (await discovery.json()) as { token_endpoint: string };
      assert.ok(token_endpoint.startsWith(ready.url));
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, `stopped normally: ${err}`);
  });
});
