// --help is written alike everywhere: every command's, option's and argument's description starts lower-case and
// has no final full stop (a sweep over the command table).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Command } from 'commander';

describe('--help wording', () => {
  it('--help descriptions are written alike: lower-case start, no final full stop', async () => {
    const { buildProgram } = await import('../src/main.js');
    const odd: string[] = [];
    const visit = (c: Command, path: string) => {
      const texts = [
        [`${path}`, c.description()],
        ...c.options.map((o) => [`${path} ${o.flags}`, o.description]),
        ...c.registeredArguments.map((a) => [`${path} <${a.name()}>`, a.description]),
      ];
      for (const [where, text] of texts)
        if (text && (/^[A-Z][a-z]/.test(text) || /\.$/.test(text))) odd.push(`${where}: ${text}`);
      for (const sub of c.commands) visit(sub, `${path} ${sub.name()}`);
    };
    visit(await buildProgram(), 'tokenloop');
    assert.deepEqual(odd, []);
  });
});
