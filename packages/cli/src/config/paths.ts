// Where the CLI keeps things: the library's one rule (tokenloop/cli-state, S106), which tokenloop/azure's CLI
// credential reads too.
import { isAbsolute, join } from 'node:path';
import { cliPaths } from 'tokenloop/cli-state';

export { type CliPaths, cliPaths } from 'tokenloop/cli-state';

/**
 * S170: the token agent's socket (`tokenloop agent`), the one rule the agent, the bin's client and `status`
 * use: in `$XDG_RUNTIME_DIR/tokenloop` (an absolute XDG_RUNTIME_DIR: the user's own runtime folder), else in the
 * `agent` folder of the CLI's cache folder. The folder must be private (0700, the user's own).
 */
export function agentSocketPath(env: NodeJS.ProcessEnv): string {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime && isAbsolute(runtime) && !env.TOKENLOOP_HOME) return join(runtime, 'tokenloop', 'agent.sock');
  return join(cliPaths(env).cache, 'agent', 'agent.sock');
}
