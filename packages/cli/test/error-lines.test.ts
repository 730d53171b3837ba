// S74 for messages of several lines: a message our own code writes as lines (a headline, then one problem per
// line) is printed as lines, each quoted on its own; a line break inside a line (a provider's text, a key of the
// user's file) stays escaped. Messages of our own are built as lines, never with a line break inside a string.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { EmulatorOptionsError } from '@tokenloop/emulator';
import { TokenloopError } from 'tokenloop/errors';
import { optionsRefused } from '../src/commands/emulator.ts';
import { reportError } from '../src/errors.ts';
import { BIN, tempDir } from './support/cli.ts';

const PACKAGES = join(import.meta.dirname, '..', '..');

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tokenloop ${args.join(' ')} did not end within 30 s`));
    }, 30_000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('S74 messages of several lines', () => {
  it('S74 tokenloop emulator with an invalid config file prints one problem per line, no \\n sequences', async () => {
    const dir = tempDir();
    const config = join(dir, 'bad.json');
    writeFileSync(config, JSON.stringify({ apps: [{ name: 'x', type: 'nope' }] }));
    const r = await run(['emulator', '--config', config, '--port', '0', '--data-dir', join(dir, 'data')]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    const lines = r.stderr.split('\n');
    assert.equal(lines.pop(), '', 'ends with a line break');
    assert.match(lines[0]!, /^tokenloop: config file .*bad\.json is invalid:$/);
    assert.deepEqual(lines.slice(1).sort(), [
      '  apps.0.type: Invalid option: expected one of "public"|"web"|"spa"|"daemon"|"api"',
      '  tenants: Invalid input: expected array, received undefined',
    ]);
    assert.doesNotMatch(r.stderr, /\\n/);
  });

  it('S74 each line is quoted on its own: a line break or control inside a line stays escaped', async () => {
    const out: string[] = [];
    // The emulator's error, as `tokenloop emulator` turns it into one of the CLI's (its lines kept apart).
    const err = optionsRefused(
      new EmulatorOptionsError([
        'config file a.json is invalid:',
        'apps.0.na\nme\u001b[2J: Unrecognized key',
        'tenants: required',
      ]),
    );
    assert.equal(await reportError(err, (l) => out.push(l)), 2);
    assert.deepEqual(out, [
      'tokenloop: config file a.json is invalid:',
      '  apps.0.na\\nme\\x1b[2J: Unrecognized key',
      '  tenants: required',
    ]);
  });

  it("S74 a library error's message (a provider's text) stays one line", async () => {
    const out: string[] = [];
    const err = new TokenloopError('OAUTH_ERROR', 'the provider said: bad\n  fix: run this');
    await reportError(err, (l) => out.push(l));
    assert.deepEqual(out, ['tokenloop: the provider said: bad\\n  fix: run this']);
  });

  // Sweep: an error message of our own code with a line break inside would reach the terminal as \n sequences.
  it('S74 no error message in the sources has a line break inside a string (several lines are given as lines)', () => {
    const offenders: string[] = [];
    for (const pkg of readdirSync(PACKAGES)) {
      const src = join(PACKAGES, pkg, 'src');
      let files: string[];
      try {
        files = readdirSync(src, { recursive: true }).map(String);
      } catch {
        continue;
      }
      for (const file of files.filter((f) => f.endsWith('.ts'))) {
        const text = readFileSync(join(src, file), 'utf8');
        for (const m of text.matchAll(/\bnew \w*Error\(/g)) {
          let i = m.index + m[0].length;
          for (let depth = 1; i < text.length && depth > 0; i++)
            depth += text[i] === '(' ? 1 : text[i] === ')' ? -1 : 0;
          if (/\\n/.test(text.slice(m.index, i)))
            offenders.push(`${relative(PACKAGES, join(src, file))}: ${text.slice(m.index, i)}`);
        }
      }
    }
    assert.deepEqual(offenders, []);
  });
});
