// Where the CLI keeps things: the library's one rule (tokenloop/cli-state, S106), which tokenloop/azure's CLI
// credential reads too.
import { cliAgentSocket } from 'tokenloop/cli-state';

export { type CliPaths, cliPaths } from 'tokenloop/cli-state';

/** S170: the token agent's socket: the library's one rule (tokenloop/cli-state `cliAgentSocket`). */
export function agentSocketPath(env: NodeJS.ProcessEnv): string {
  return cliAgentSocket(env).path;
}
