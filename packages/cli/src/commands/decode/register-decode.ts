import type { Command } from 'commander';

/** `tokenloop decode`: its options; its code is imported only when it runs. */
export function registerDecode(program: Command): void {
  program
    .command('decode')
    .argument('[token]', 'a JWT, or "-" to read it from standard input')
    .description(
      "show a JWT's header and claims with readable times and warnings (offline: the token goes nowhere)",
    )
    .option('--json', 'print JSON')
    .action(async (token: string | undefined, opts) => {
      const { runDecode } = await import('./run-decode.js');
      runDecode(token, opts);
    });
}
