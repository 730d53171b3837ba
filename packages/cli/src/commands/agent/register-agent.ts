import type { Command } from 'commander';
import type { CommandEnd } from '../../exit-codes.js';

/** `tokenloop agent run|start|stop|status`: their options; their code is imported only when one runs. */
export function registerAgent(program: Command, end: CommandEnd): void {
  const agent = program
    .command('agent')
    .description('a resident token agent: `tokenloop token` answers a cached token faster (docs/cli.md)');
  agent
    .command('run', { isDefault: true })
    .description('run the agent in the foreground until SIGTERM, Ctrl-C or `tokenloop agent stop`')
    .action(async () => {
      const { runAgentForeground } = await import('./run-agent.js');
      await runAgentForeground();
    });
  agent
    .command('start')
    .description('start the agent in the background (returns once it listens)')
    .action(async () => {
      const { runAgentStart } = await import('./run-agent.js');
      await runAgentStart();
    });
  agent
    .command('stop')
    .description('stop the running agent')
    .action(async () => {
      const { runAgentStop } = await import('./run-agent.js');
      await runAgentStop();
    });
  agent
    .command('status')
    .description('whether the agent runs, and where (exit 1 when it does not)')
    .option('--json', 'print JSON')
    .action(async (opts) => {
      const { runAgentStatus } = await import('./run-agent.js');
      end(await runAgentStatus(opts));
    });
}
