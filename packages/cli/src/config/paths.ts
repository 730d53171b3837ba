// Where the CLI keeps things: the library's one rule (tokenloop/cli-state, S106), which tokenloop/azure's CLI
// credential reads too.
import { cliAgentSocket } from 'tokenloop/cli-state';

export { type CliPaths, cliPaths } from 'tokenloop/cli-state';

/** S170: the token agent's socket: the library's one rule (tokenloop/cli-state `cliAgentSocket`). */
export function agentSocketPath(env: NodeJS.ProcessEnv): string {
  return cliAgentSocket(env).path;
}

/** Where the agent's socket is and what chose that place (XDG_RUNTIME_DIR, TOKENLOOP_HOME, the cache folder). */
export function agentSocketPlace(env: NodeJS.ProcessEnv): ReturnType<typeof cliAgentSocket> {
  return cliAgentSocket(env);
}

/** Why the socket is where it is, in words for `agent status` and `agent stop` (docs/cli.md "The token agent"). */
export function agentPlaceReason(placedBy: ReturnType<typeof cliAgentSocket>['placedBy']): string {
  switch (placedBy) {
    case 'XDG_RUNTIME_DIR':
      return 'in $XDG_RUNTIME_DIR/tokenloop, as XDG_RUNTIME_DIR is set and TOKENLOOP_HOME is not';
    case 'TOKENLOOP_HOME':
      return "in TOKENLOOP_HOME's cache folder, as TOKENLOOP_HOME is set (it comes before XDG_RUNTIME_DIR)";
    case 'the cache folder':
      return 'in the cache folder, as XDG_RUNTIME_DIR is not set (or not absolute) and TOKENLOOP_HOME is not';
  }
}
