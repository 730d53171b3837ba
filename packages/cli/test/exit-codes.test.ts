// S187: every exit code the CLI gives has a name in EXIT (src/exit-codes.ts) and a row in docs/cli.md's table;
// the sources use the name, never a bare number (the CommonJS bin keeps literals, each naming its EXIT entry).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { EXIT } from '../src/exit-codes.ts';
import { baseEnv, freshHome, runCli } from './support/cli.js';

const CLI = join(import.meta.dirname, '..');
const DOCS = join(CLI, '..', '..', 'docs', 'cli.md');

it("S187 docs/cli.md's exit-code table lists exactly the codes of EXIT", () => {
  const docs = readFileSync(DOCS, 'utf8');
  const table = docs.slice(docs.indexOf('### Exit codes'));
  const rows = [...table.matchAll(/^\| (\d+) +\|/gm)].map((m) => Number(m[1]));
  assert.deepEqual(
    rows.sort((a, b) => a - b),
    Object.values(EXIT).sort((a, b) => a - b),
  );
});

it('tokenloop --help lists every code of EXIT, and no other, after "Exit codes:"', async () => {
  const r = await runCli(['--help'], baseEnv(freshHome()));
  assert.equal(r.code, 0, r.stderr);
  const at = r.stdout.indexOf('Exit codes:');
  assert.ok(at >= 0, r.stdout);
  const listed = [...r.stdout.slice(at).matchAll(/\b(\d+) [a-z]/g)].map((m) => Number(m[1]));
  assert.deepEqual(
    listed.sort((a, b) => a - b),
    Object.values(EXIT).sort((a, b) => a - b),
  );
});

it('S187 sweep: no CLI source exits with a bare number; the bin names the EXIT entry of each literal', () => {
  const found: string[] = [];
  const BARE = /\breturn (?!0;)\d+;|\bprocess\.exit\((?!0\))\d+\)|\bexitCode = \d+/;
  for (const file of readdirSync(join(CLI, 'src'), { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts') || file === 'exit-codes.ts') continue;
    const text = readFileSync(join(CLI, 'src', file), 'utf8').replace(/\/\/.*|\/\*[\s\S]*?\*\//g, '');
    for (const line of text.split('\n')) if (BARE.test(line)) found.push(`${file}: ${line.trim()}`);
  }
  const names = new Map(Object.entries(EXIT).map(([name, code]) => [code as number, name]));
  for (const line of readFileSync(join(CLI, 'bin', 'tokenloop.js'), 'utf8').split('\n')) {
    const code = /\breturn (\d+);/.exec(line)?.[1];
    if (code === undefined || code === '0') continue;
    const name = names.get(Number(code));
    if (!name || !line.includes(`EXIT.${name}`)) found.push(`bin/tokenloop.js: ${line.trim()}`);
  }
  assert.deepEqual(found, []);
});

it('sweep: no CLI source sets process.exitCode; a command returns its code or throws, and main decides', () => {
  const src = join(CLI, 'src');
  const found: string[] = [];
  for (const file of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts')) continue;
    const code = readFileSync(join(src, file), 'utf8').replace(/\/\/.*|\/\*[\s\S]*?\*\//g, '');
    if (/process\.exitCode\s*=[^=]/.test(code)) found.push(file);
  }
  assert.deepEqual(found, []);
});
