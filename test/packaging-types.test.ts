// The packed packages' TypeScript declarations as a user compiles them: tsc --strict with skipLibCheck off under
// node16, nodenext and bundler resolution, with the repo's TypeScript and with the newest from the registry (6.0
// and later load no @types package unless told: the declarations must bring Node's types themselves), on every
// documented example (README.md, docs/) and on a file that loads every entry point; first without the optional
// peers (ioredis, express, fastify), then with them.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  NODE_MAJOR,
  type PackedProject,
  ROOT,
  ok,
  packedProject,
  run,
  runAsync,
} from './support/packed-project.ts';

const MAIN_ENTRIES = [
  'tokenloop',
  'tokenloop/client',
  'tokenloop/errors',
  'tokenloop/validation',
  'tokenloop/mail',
  'tokenloop/private-files',
  'tokenloop/azure',
  'tokenloop/cli-state',
  '@tokenloop/emulator',
  '@tokenloop/emulator/sample-ids',
  '@tokenloop/web',
];
const PEER_ENTRIES = [
  'tokenloop/redis',
  '@tokenloop/web/redis',
  '@tokenloop/web/express',
  '@tokenloop/web/fastify',
];
const PEER_IMPORTS =
  /from '(ioredis|express|fastify|@fastify\/[^']+)'|from '(tokenloop|@tokenloop\/web)\/(redis|express|fastify)'/;
/** Peers a user installs only for the parts that need them. */
const PEERS = ['ioredis@^5', 'express@^5', '@types/express@^5', 'fastify@^5'];

/**
 * Examples of another package's own settings (docs/azure-sdk.md's @azure/identity, the README's Auth.js and
 * express-openid-connect), which this project does not install: scripts/check-doc-examples.mjs compiles them
 * against the repository's devDependencies.
 */
const OTHER_IMPORTS = /from '(@azure\/|@auth\/|express-openid-connect'|@microsoft\/)/;

/** Every ```ts block of the README and docs/, as the doc-example check extracts them, but OTHER_IMPORTS. */
function docExamples(): { name: string; code: string }[] {
  const docs = [join(ROOT, 'README.md')];
  for (const f of readdirSync(join(ROOT, 'docs'), { recursive: true }))
    if (String(f).endsWith('.md')) docs.push(join(ROOT, 'docs', String(f)));
  const out: { name: string; code: string }[] = [];
  for (const file of docs)
    for (const m of readFileSync(file, 'utf8').matchAll(/```ts\n([\s\S]*?)```/g))
      if (!OTHER_IMPORTS.test(m[1]!))
        out.push({
          name: `${relative(ROOT, file).replace(/[^A-Za-z0-9]+/g, '_')}_${out.length + 1}.ts`,
          code: `export {};\n${m[1]}`,
        });
  return out;
}

const RESOLUTIONS = {
  node16: { module: 'node16', moduleResolution: 'node16' },
  nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
  bundler: { module: 'esnext', moduleResolution: 'bundler' },
} as const;

/** The compilers a user may have: the repo's TypeScript, and the newest on the registry (in the project). */
function compilers(): { label: string; tsc: string }[] {
  return [join(ROOT, 'node_modules', 'typescript'), join(p.dir, 'node_modules', 'typescript')].map((dir) => ({
    label: `typescript@${(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version}`,
    tsc: join(dir, 'bin', 'tsc'),
  }));
}

/**
 * `tsc --strict` with skipLibCheck off on `files`, under each module resolution and with each compiler, all at
 * once; returns failures. No `types` setting: what a user's tsconfig has unless they add one.
 */
async function typeCheck(dir: string, files: string[]): Promise<string[]> {
  const runs = Object.entries(RESOLUTIONS).flatMap(([resolution, options]) => {
    const config = join(dir, `tsconfig.${resolution}.json`);
    writeFileSync(
      config,
      JSON.stringify({
        compilerOptions: {
          ...options,
          target: 'es2022',
          lib: ['es2023'],
          strict: true,
          skipLibCheck: false,
          noEmit: true,
        },
        files,
      }),
    );
    return compilers().map(async ({ label, tsc }) => {
      const r = await runAsync(process.execPath, [tsc, '-p', config], dir);
      return r.status === 0 ? undefined : `${label}, ${resolution}:\n${r.output}`;
    });
  });
  return (await Promise.all(runs)).filter((f): f is string => f !== undefined);
}

/** One file that loads all declarations of each entry point. */
function surfaceFile(entries: string[]): string {
  return entries.map((e, i) => `import * as m${i} from '${e}';\nexport const e${i} = m${i};\n`).join('');
}

let p: PackedProject;

// Sweep: a new `exports` entry of a library package is type-checked here, or this fails.
it('every entry point the library packages export is in MAIN_ENTRIES or PEER_ENTRIES', () => {
  const listed = new Set<string>([...MAIN_ENTRIES, ...PEER_ENTRIES]);
  const missing: string[] = [];
  // @tokenloop/cli exports only its command (./bin), nothing to import.
  for (const dir of ['tokenloop', 'web', 'emulator']) {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'packages', dir, 'package.json'), 'utf8')) as {
      name: string;
      exports: Record<string, unknown>;
    };
    for (const key of Object.keys(pkg.exports)) {
      if (key === './package.json') continue;
      const entry = key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`;
      if (!listed.has(entry)) missing.push(entry);
    }
  }
  assert.deepEqual(missing, []);
});

describe('the packed packages under tsc', { timeout: 600_000 }, () => {
  before(() => {
    p = packedProject(['typescript@latest']);
  });
  after(() => p?.close());

  // TypeScript 6.0 and later load @types/node only when a file asks for it (or the user's tsconfig lists it).
  it("every entry point's declarations ask for Node's types, and @types/node is an optional peer of the supported Node range", () => {
    const engines = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }
    ).engines.node;
    const without: string[] = [];
    for (const name of ['tokenloop', '@tokenloop/web', '@tokenloop/emulator']) {
      const dir = join(p.dir, 'node_modules', name);
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        exports: Record<string, string | { types: string }>;
        peerDependencies?: Record<string, string>;
        peerDependenciesMeta?: Record<string, { optional?: boolean }>;
      };
      assert.equal(pkg.peerDependencies?.['@types/node'], engines, `${name}: peer @types/node`);
      assert.equal(pkg.peerDependenciesMeta?.['@types/node']?.optional, true, `${name}: optional`);
      for (const [key, target] of Object.entries(pkg.exports)) {
        if (typeof target === 'string') continue;
        if (!/^\/\/\/ <reference types="node" /m.test(readFileSync(join(dir, target.types), 'utf8')))
          without.push(`${name} ${key}: ${target.types}`);
      }
    }
    assert.deepEqual(without, []);
  });

  it('tsc --strict, skipLibCheck off, node16 / nodenext / bundler: the docs and every entry, without the optional peers', async () => {
    const dir = join(p.dir, 'src-main');
    mkdirSync(dir);
    const files = ['surface.ts'];
    writeFileSync(join(dir, 'surface.ts'), surfaceFile(MAIN_ENTRIES));
    for (const ex of docExamples().filter((e) => !PEER_IMPORTS.test(e.code))) {
      writeFileSync(join(dir, ex.name), ex.code);
      files.push(ex.name);
    }
    assert.ok(files.length > 5, 'documented examples found');
    assert.ok(!existsSync(join(p.dir, 'node_modules', 'ioredis')), 'ioredis is not installed here');
    assert.deepEqual(await typeCheck(dir, files), []);
  });

  describe('with the optional peers installed (ioredis, express, fastify)', () => {
    before(() => {
      p.installOutput.length = 0;
      p.install(PEERS);
    });

    it("installs them without an engine warning (on Node 20: but for Fastify's own cookie@2)", () => {
      const warnings = p.installOutput
        .join('\n')
        .split('\n')
        .filter((l) => /EBADENGINE.*package:/.test(l));
      // Fastify 5's light-my-request needs cookie@2, which needs Node 22: a warning of Fastify's on Node 20.
      const expected = NODE_MAJOR === 20 ? warnings.filter((l) => /'cookie@2\./.test(l)) : [];
      assert.deepEqual(warnings, expected);
    });

    it('tsc: the docs and every entry that needs a peer, under each resolution', async () => {
      const dir = join(p.dir, 'src-peers');
      mkdirSync(dir);
      const files = ['surface.ts'];
      writeFileSync(join(dir, 'surface.ts'), surfaceFile(PEER_ENTRIES));
      for (const ex of docExamples().filter((e) => PEER_IMPORTS.test(e.code))) {
        writeFileSync(join(dir, ex.name), ex.code);
        files.push(ex.name);
      }
      assert.deepEqual(await typeCheck(dir, files), []);
    });

    it('ESM: the entries that need a peer import', () => {
      const code = PEER_ENTRIES.map((e) => `await import('${e}');`).join('\n') + "\nconsole.log('ok');";
      assert.equal(
        ok(run(process.execPath, ['--input-type=module', '-e', code], p.dir), 'ESM import').trim(),
        'ok',
      );
    });
  });
});
