import { readFileSync } from 'node:fs';
import { CliError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { decodeJwt } from './decode-jwt.js';
import { jsonLine, terminalText } from '../../output/quote.js';

export interface DecodeOptions {
  json?: boolean;
}

function readStdin(): string {
  try {
    return readFileSync(0, 'utf8');
  } catch {
    throw new CliError('could not read a token from standard input', EXIT.usage);
  }
}

/** `tokenloop decode [TOKEN|-]`: print a JWT's header and claims; offline, the token goes nowhere. */
export function runDecode(
  token: string | undefined,
  opts: DecodeOptions,
  out: (s: string) => void = (s) => process.stdout.write(s),
): void {
  const fromStdin = token === undefined || token === '-';
  const input = fromStdin ? readStdin() : token;
  if (!input.trim())
    throw fromStdin
      ? new CliError(
          'standard input was empty: no token to decode',
          EXIT.usage,
          'pipe one in: `tokenloop token | tokenloop decode -`, or give it as an argument',
        )
      : new CliError('no token given', EXIT.usage, 'pass a token or "-" to read it from standard input');
  // What is not a readable JWT: a DecodeError, a usage error of the CLI's family (exit 2).
  const decoded = decodeJwt(input);
  if (opts.json) {
    out(`${jsonLine(decoded)}\n`);
    return;
  }
  const lines = [`header: ${jsonLine(decoded.header)}`, 'claims:'];
  for (const [k, v] of Object.entries(decoded.claims)) {
    const human = decoded.times[k];
    lines.push(`  ${terminalText(k)}: ${jsonLine(v)}${human ? `  (${terminalText(human)})` : ''}`);
  }
  // S74: warnings carry the token's own strings (the header's alg).
  for (const w of decoded.warnings) lines.push(`warning: ${terminalText(w)}`);
  out(`${lines.join('\n')}\n`);
}
