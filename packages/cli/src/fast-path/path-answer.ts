import { EXIT } from '../exit-codes.js';
import { terminalText } from '../output/quote.js';
import { writeOut } from './write-out.js';

/**
 * What a quick path (the agent's, the fast path) does with its answer, as the bin runs it: the answer printed and
 * exit 0, or undefined for the next path to answer. With `only` (TOKENLOOP_TOKEN_PATH=agent|fast), a decline is
 * printed with its reason (S74: as text) and exits EXIT.tokenPathDeclined (S187).
 */
export async function printPathAnswer(
  answer: { stdout: string } | { declined: string },
  only: boolean,
  path: 'the agent' | 'the fast path',
): Promise<number | undefined> {
  if ('stdout' in answer) {
    await writeOut(1, answer.stdout);
    return EXIT.ok;
  }
  if (!only) return undefined;
  await writeOut(2, `tokenloop: ${path} does not answer this (${terminalText(answer.declined)})\n`);
  return EXIT.tokenPathDeclined;
}
