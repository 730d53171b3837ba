import { EXIT, type ExitCode } from '../../exit-codes.js';
import { jsonLine, terminalText } from '../../output/quote.js';
import { paint, say } from '../../output/terminal.js';
import type { Check } from './check.js';

/** Prints the checks (a line each, or one JSON line); the exit code: 1 when any failed. */
export function reportChecks(checks: Check[], json: boolean | undefined): ExitCode {
  if (json) process.stdout.write(`${jsonLine({ ok: checks.every((c) => c.ok), checks })}\n`);
  else {
    // S74: details quote what the provider and the cache said.
    for (const c of checks) {
      say(`${c.ok ? paint('green', '✓') : paint('red', '✗')} ${c.name}: ${terminalText(c.detail)}`);
      if (c.fix) say(`    fix: ${terminalText(c.fix)}`);
    }
  }
  return checks.every((c) => c.ok) ? EXIT.ok : EXIT.failure;
}
