#!/usr/bin/env node
// Compiles every ```ts block of README.md and docs/**/*.md against the built packages, so documented
// examples cannot rot. Blocks are written to .tmp/doc-examples and type-checked with the repo's settings.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const out = join(root, '.tmp', 'doc-examples');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const docs = [join(root, 'README.md')];
const docsDir = join(root, 'docs');
if (existsSync(docsDir)) {
  for (const f of readdirSync(docsDir, { recursive: true }))
    if (String(f).endsWith('.md')) docs.push(join(docsDir, String(f)));
}
let count = 0;
for (const file of docs) {
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/```ts\n([\s\S]*?)```/g)) {
    count++;
    const name = `${relative(root, file).replace(/[^A-Za-z0-9]+/g, '_')}_${count}.ts`;
    writeFileSync(join(out, name), `export {};\n${m[1]}`);
  }
}
writeFileSync(
  join(out, 'tsconfig.json'),
  JSON.stringify({
    extends: '../../tsconfig.base.json',
    compilerOptions: {
      noEmit: true,
      composite: false,
      declaration: false,
      declarationMap: false,
      sourceMap: false,
      noUnusedLocals: false,
    },
    include: ['*.ts'],
  }),
);
const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', out], {
  stdio: 'inherit',
});
if (tsc.status !== 0) {
  console.error('check-doc-examples: a documented example does not compile (see above)');
  process.exit(1);
}
console.log(`check-doc-examples: ${count} TypeScript example(s) compiled`);
