// The packed packages installed into a new project, used as a user would from the command line and from
// JavaScript: npx tokenloop, the emulator, ESM imports, CommonJS require(), the tarballs' contents, npm publish.
// The TypeScript side is in packaging-types.test.ts.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  PACKAGES,
  type PackedProject,
  ROOT,
  childEnv,
  ok,
  packedProject,
  run,
} from './support/packed-project.ts';

/** Entry points that need no optional peer. */
const MAIN_ENTRIES = [
  'tokenloop',
  'tokenloop/client',
  'tokenloop/validation',
  'tokenloop/mail',
  'tokenloop/private-files',
  'tokenloop/azure',
  'tokenloop/cli-state',
  '@tokenloop/emulator',
  '@tokenloop/web',
];

let p: PackedProject;

// One Node range: a version floor the READMEs or docs state ("22.13+", "22.13 or later") is the one `engines` gives
// for that line.
it('every Node version floor stated in the READMEs and docs/ is the one engines gives for its line', () => {
  const engines = (
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }
  ).engines.node;
  const floors = new Map(
    [...engines.matchAll(/(?:\^|>=)(\d+)(?:\.(\d+))?/g)].map((m) => [m[1]!, `${m[1]}.${m[2] ?? 0}`]),
  );
  const docs = ['README.md', ...PACKAGES.map((n) => `packages/${n.replace(/^@tokenloop\//, '')}/README.md`)];
  for (const f of readdirSync(join(ROOT, 'docs'))) if (f.endsWith('.md')) docs.push(`docs/${f}`);
  const wrong: string[] = [];
  for (const doc of docs)
    for (const m of readFileSync(join(ROOT, doc), 'utf8').matchAll(/\b(\d{2})\.(\d+)(?:\+| or later)/g)) {
      const floor = floors.get(m[1]!);
      if (floor !== undefined && floor !== `${m[1]}.${m[2]}`)
        wrong.push(`${doc}: ${m[0]} (engines: ${floor})`);
    }
  assert.deepEqual(wrong, []);
});

describe('the packed packages, installed into a new project', { timeout: 600_000 }, () => {
  before(() => {
    p = packedProject();
  });
  after(() => p?.close());

  it('packs every workspace package', () => {
    assert.deepEqual(p.packed.map((p) => p.name).sort(), [...PACKAGES].sort());
  });

  it('installs without an engine warning on this Node', () => {
    assert.doesNotMatch(p.installOutput.join('\n'), /EBADENGINE/);
  });

  it('tarballs hold no tests, no build state, and a LICENSE and README', () => {
    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    for (const pk of p.packed) {
      const paths = pk.files.map((f) => f.path);
      const stray = paths.filter((f) =>
        /(^|\/)(test|tests|__tests__)\/|\.test\.[cm]?[jt]s$|tsbuildinfo|tsconfig/.test(f),
      );
      assert.deepEqual(stray, [], `${pk.name} ships no tests or build files`);
      assert.ok(
        paths.includes('LICENSE') && paths.includes('README.md'),
        `${pk.name} has LICENSE and README.md`,
      );
      const dir = join(p.dir, 'node_modules', pk.name);
      assert.equal(readFileSync(join(dir, 'LICENSE'), 'utf8'), license, `${pk.name}: the MIT license`);
      assert.ok(readFileSync(join(dir, 'README.md'), 'utf8').length > 200, `${pk.name}: a README`);
    }
  });

  it('every source map resolves to shipped sources, and every map a file names is shipped', () => {
    for (const pk of p.packed) {
      const dir = join(p.dir, 'node_modules', pk.name);
      const files = new Set(pk.files.map((f) => f.path));
      let maps = 0;
      for (const file of files) {
        if (/\.(js|d\.ts)$/.test(file)) {
          const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(join(dir, file), 'utf8'))?.[1];
          if (url && !url.startsWith('data:'))
            assert.ok(
              files.has(relative(dir, resolve(dir, dirname(file), url))),
              `${pk.name}/${file}: ${url} shipped`,
            );
        }
        if (!file.endsWith('.map')) continue;
        maps++;
        const map = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
          sources: string[];
          sourceRoot?: string;
          sourcesContent?: (string | null)[];
        };
        map.sources.forEach((source, i) => {
          const at = resolve(dir, dirname(file), map.sourceRoot ?? '', source);
          assert.ok(
            typeof map.sourcesContent?.[i] === 'string' ||
              (at.startsWith(dir) && files.has(relative(dir, at))),
            `${pk.name}/${file}: its source ${source} is not in the package (compiled from a deleted source? npm run build removes those)`,
          );
        });
      }
      assert.ok(maps > 0, `${pk.name} ships source maps`);
    }
  });

  it('package.json: metadata, the same Node range everywhere, ./package.json exported, ESM only', () => {
    const claim = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }
    ).engines.node;
    for (const name of PACKAGES) {
      const pkg = JSON.parse(
        readFileSync(join(p.dir, 'node_modules', name, 'package.json'), 'utf8'),
      ) as Record<string, unknown>;
      assert.equal(pkg.license, 'MIT');
      assert.equal(pkg.type, 'module', `${name} is ESM`);
      assert.deepEqual(pkg.engines, { node: claim });
      for (const field of ['repository', 'homepage', 'bugs', 'keywords', 'description'])
        assert.ok(pkg[field], `${name} has ${field}`);
      assert.equal((pkg.exports as Record<string, unknown>)['./package.json'], './package.json');
    }
    const version = (name: string) =>
      (
        JSON.parse(readFileSync(join(p.dir, 'node_modules', name, 'package.json'), 'utf8')) as {
          version: string;
        }
      ).version;
    assert.equal(new Set(PACKAGES.map(version)).size, 1, 'the packages move together (one version)');
  });

  it('npx tokenloop --help and --version', () => {
    const help = ok(run('npx', ['--no-install', 'tokenloop', '--help'], p.dir), 'npx tokenloop --help');
    assert.match(help, /^Usage: tokenloop /m);
    assert.match(help, /\bemulator\b/);
    const version = ok(
      run('npx', ['--no-install', 'tokenloop', '--version'], p.dir),
      'npx tokenloop --version',
    );
    assert.equal(version.trim(), p.packed[0]!.version);
  });

  it("the library's own tokenloop command hands over to the command line", () => {
    const bin = join(p.dir, 'node_modules', 'tokenloop', 'bin', 'tokenloop.js');
    const help = ok(run(process.execPath, [bin, '--help'], p.dir), 'tokenloop (library bin) --help');
    assert.match(help, /^Usage: tokenloop /m);
    const pkg = JSON.parse(
      readFileSync(join(p.dir, 'node_modules', 'tokenloop', 'package.json'), 'utf8'),
    ) as {
      bin: Record<string, string>;
      optionalDependencies: Record<string, string>;
      version: string;
    };
    assert.deepEqual(pkg.bin, { tokenloop: 'bin/tokenloop.js' });
    assert.equal(pkg.optionalDependencies['@tokenloop/cli'], pkg.version, 'the CLI comes with the library');
  });

  // The library's command without @tokenloop/cli (left out by --omit=optional, or not found on the registry: an
  // optional dependency that cannot be installed is skipped): it names what is missing and the commands that
  // install it, whatever the reason. `npm install --global` of the library tarball alone, as a user may do.
  it("the library's command alone (no @tokenloop/cli) names the missing package and the commands that install it", () => {
    const prefix = join(p.work, 'global');
    const lib = p.packed.find((k) => k.name === 'tokenloop')!;
    ok(
      run(
        'npm',
        [
          'install',
          '--global',
          '--prefix',
          prefix,
          '--omit=optional',
          '--prefer-offline',
          join(p.work, 'tarballs', lib.filename),
        ],
        p.work,
      ),
      'npm install --global tokenloop.tgz --omit=optional',
    );
    const bin = join(prefix, process.platform === 'win32' ? '' : 'bin', 'tokenloop');
    const r = run(bin, ['--help'], p.work);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stdout, '');
    assert.deepEqual(r.stderr.split('\n'), [
      `tokenloop: the command line is not installed: the tokenloop command of the library tokenloop ${lib.version} hands over to the package @tokenloop/cli (an optional dependency), which is not installed next to it.`,
      `  fix: npm uninstall --global tokenloop && npm install --global @tokenloop/cli@${lib.version}   (the command for good; it brings the library)`,
      `  fix: npm install @tokenloop/cli@${lib.version}   (in a project that depends on tokenloop)`,
      '',
    ]);
  });

  it('npx tokenloop emulator --port 0 --json serves discovery, and stops on SIGTERM', async () => {
    const home = join(p.work, 'home');
    mkdirSync(home, { mode: 0o700 });
    const child = spawn('npx', ['--no-install', 'tokenloop', 'emulator', '--port', '0', '--json'], {
      cwd: p.dir,
      env: childEnv({ TOKENLOOP_HOME: home }),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: npx and the emulator under it are stopped together
    });
    let out = '';
    let err = '';
    let url: string | undefined;
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    try {
      const ready = await new Promise<{ url: string }>((done, fail) => {
        child.stdout.on('data', (d) => {
          out += d;
          const line = out
            .split('\n')
            .slice(0, -1) // complete lines only
            .find((l) => l.startsWith('{'));
          if (line) done(JSON.parse(line) as { url: string });
        });
        void exited.then((code) => fail(new Error(`the emulator exited with ${code}: ${err}`)));
      });
      assert.match(ready.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      url = ready.url;
      const res = await fetch(`${ready.url}/common/v2.0/.well-known/openid-configuration`);
      assert.equal(res.status, 200);
      assert.match(((await res.json()) as { issuer: string }).issuer, /\{tenantid\}/);
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
    }
    await exited;
    await assert.rejects(
      fetch(`${url}/common/v2.0/.well-known/openid-configuration`),
      'the emulator stopped',
    );
  });

  it('ESM: every entry point imports', () => {
    const code = MAIN_ENTRIES.map((e) => `await import('${e}');`).join('\n') + "\nconsole.log('ok');";
    const out = ok(run(process.execPath, ['--input-type=module', '-e', code], p.dir), 'ESM import');
    assert.equal(out.trim(), 'ok');
    const pkg = ok(
      run(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          "import pkg from 'tokenloop/package.json' with { type: 'json' }; console.log(pkg.name);",
        ],
        p.dir,
      ),
      'import tokenloop/package.json',
    );
    assert.equal(pkg.trim(), 'tokenloop');
  });

  it('CommonJS: require() gets the modules where Node has require(esm), else a clear ERR_REQUIRE_ESM', () => {
    const script = join(p.dir, 'require.cjs');
    writeFileSync(
      script,
      `const out = {};
for (const name of ${JSON.stringify(MAIN_ENTRIES)}) {
  try { out[name] = Object.keys(require(name)).length > 0 ? 'loaded' : 'empty'; }
  catch (e) { out[name] = e.code; }
}
console.log(JSON.stringify(out));`,
    );
    const r = run(process.execPath, [script], p.dir);
    const got = JSON.parse(ok(r, 'require()')) as Record<string, string>;
    // Node 20.19+, 22.12+ and 24+ load ES modules with require() (process.features.require_module); every version
    // the packages claim has it. Older Node says ERR_REQUIRE_ESM.
    const expected = (process.features as { require_module?: boolean }).require_module
      ? 'loaded'
      : 'ERR_REQUIRE_ESM';
    assert.deepEqual(got, Object.fromEntries(MAIN_ENTRIES.map((e) => [e, expected])));
    assert.doesNotMatch(r.stderr, /Error|ExperimentalWarning/, `require() quietly: ${r.stderr}`);
  });

  it('npm publish --dry-run is clean for every package', () => {
    const r = run('npm', ['publish', '--dry-run', '--workspaces', '--ignore-scripts'], ROOT);
    ok(r, 'npm publish --dry-run');
    const warnings = `${r.stdout}\n${r.stderr}`
      .split('\n')
      .filter((l) => /^npm warn/.test(l) && !/requires you to be logged in/.test(l));
    assert.deepEqual(warnings, []);
    for (const name of PACKAGES) assert.match(r.stdout, new RegExp(`^\\+ ${name.replace('/', '\\/')}@`, 'm'));
  });
});
