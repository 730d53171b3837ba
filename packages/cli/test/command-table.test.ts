// The command table that lets a command line register only the command it names (main.ts, commandsFor) lists every
// command of the full program, in help's order, and a run that names one gets exactly that one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMMANDS, commandsFor } from '../src/command-table.js';
import { buildProgram } from '../src/main.js';

describe('the command table', () => {
  it('names every command of the full program, in the order help lists them, each registering exactly itself', async () => {
    const full = await buildProgram();
    assert.deepEqual(
      COMMANDS.map((c) => c.name),
      full.commands.map((c) => c.name()),
    );
    for (const entry of COMMANDS) {
      const one = await buildProgram(() => {}, [entry]);
      assert.deepEqual(
        one.commands.map((c) => c.name()),
        [entry.name],
      );
      const whole = full.commands.find((c) => c.name() === entry.name)!;
      assert.equal(
        one.commands[0]!.helpInformation(),
        whole.helpInformation(),
        `${entry.name}: the same help`,
      );
      assert.deepEqual(one.commands[0]!.aliases(), [], `${entry.name}: an alias would need its own row`);
    }
  });

  it('a command line registers the command it names; help, a typo and completion register all', () => {
    assert.deepEqual(
      commandsFor(['token', '--format', 'json']).map((c) => c.name),
      ['token'],
    );
    for (const argv of [[], ['--help'], ['help', 'token'], ['tokn'], ['completion', 'bash'], ['--version']])
      assert.equal(commandsFor(argv), COMMANDS, argv.join(' '));
  });
});
