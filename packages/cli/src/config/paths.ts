// Where the CLI keeps things: the library's one rule (tokenloop/cli-state, S106), which tokenloop/azure's CLI
// credential reads too.
export { type CliPaths, cliPaths } from 'tokenloop/cli-state';
