// The Node.js release lines the suite runs on besides the machine's own, and where their binaries come from:
// the npm registry's `node@N` packages, which ship the binary. Each line is installed once into
// node_modules/.cache/tokenloop-node/N (ignored by git; `npm ci` removes it, and the next run installs it again
// from npm's cache). Used by scripts/run-tests-all-nodes.mjs and the packaging test.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every supported release line other than 20 (the machine's own Node, whatever it is, is always tested). */
export const NODE_LINES = [22, 24, 26];

const root = join(import.meta.dirname, '..');
const cache = join(root, 'node_modules', '.cache', 'tokenloop-node');

/** The npm that runs this script (npm sets npm_execpath), else the one on PATH. */
export function npmCommand() {
  const cli = process.env.npm_execpath;
  if (cli && /npm-cli\.js$/.test(cli)) return { command: process.execPath, prefix: [cli] };
  return { command: 'npm', prefix: [] };
}

function versionOf(bin) {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * The binary of Node `major`, installed from the registry if it is not there yet. Throws with the reason
 * when it cannot be had (the caller reports it; nothing is skipped silently).
 */
export function ensureNode(major) {
  const dir = join(cache, String(major));
  const bin = join(dir, 'node_modules', '.bin', 'node');
  const have = existsSync(bin) ? versionOf(bin) : undefined;
  if (have?.startsWith(`v${major}.`))
    return { major, version: have, bin, binDir: join(dir, 'node_modules', '.bin') };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // A project of its own, whose only install script allowed is the node package's: its preinstall fetches the
  // platform's binary package (node-<os>-<arch>).
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ private: true, allowScripts: { node: true } }, null, 2)}\n`,
  );
  const npm = npmCommand();
  console.log(
    `node-versions: installing node@${major} from the npm registry into ${dir.slice(root.length + 1)}`,
  );
  try {
    execFileSync(
      npm.command,
      [
        ...npm.prefix,
        'install',
        '--prefix',
        dir,
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        `node@${major}`,
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
  } catch (err) {
    throw new Error(`npm install node@${major} failed: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  const version = existsSync(bin) ? versionOf(bin) : undefined;
  if (!version?.startsWith(`v${major}.`))
    throw new Error(
      `node@${major} installed, but ${bin} does not run as Node ${major} (got ${version ?? 'nothing'})`,
    );
  return { major, version, bin, binDir: join(dir, 'node_modules', '.bin') };
}

// `node scripts/node-versions.mjs` installs every line and prints where each is.
if (process.argv[1] === import.meta.filename) {
  for (const major of NODE_LINES) {
    const n = ensureNode(major);
    console.log(`node ${n.version}: ${n.bin}`);
  }
}
