// S174: the build this command line is, as the token agent's protocol names it (agent-wire/agent-protocol.ts):
// its version and the SHA-256 of its bundled fast path, the same id the bin's client (dist/fast/start.cjs) was
// built with.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { agentBuildId } from '../../agent-wire/agent-protocol.js';
import { VERSION } from '../../version.js';
import { CliError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';

/** The bundled fast path of this command line (dist/fast/token.cjs, made by scripts/bundle-cli.mjs). */
const BUNDLE = join(import.meta.dirname, '..', '..', 'fast', 'token.cjs');

/** This command line's build id; without the bundle, the agent cannot be asked and is not started. */
export function ownBuild(): string {
  let bundle: Buffer;
  try {
    bundle = readFileSync(BUNDLE);
  } catch {
    throw new CliError(
      'the token agent needs the bundled fast path, which this build of tokenloop lacks',
      EXIT.usage,
      'npm run build',
    );
  }
  return agentBuildId(VERSION, createHash('sha256').update(bundle).digest('hex'));
}
