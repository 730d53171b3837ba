// Every `fix:` the CLI prints works: for each situation a user can end up in, the command the fix names is run
// exactly as printed (placeholders such as URL and ID filled in, as a person would), then the command that
// failed is run again and must succeed — following one fix may lead to the next, but never in a circle. The
// fix-lines-*.test.ts files hold the situations, one file per subject.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SAMPLE_IDS, startEmulator } from '@tokenloop/emulator';
import { BIN, type CliRun, baseEnv, freshHome, runCli } from './cli.js';
import type { World } from './fix-world.js';

/**
 * The command a `fix:` line names (the first `tokenloop …`, `unset VAR` or `export VAR=…` between backticks), if
 * any.
 */
function fixCommand(stderr: string): string | undefined {
  const line = stderr.split('\n').find((l) => /^\s+fix: /.test(l));
  return line ? /`((?:tokenloop|unset|export) [^`]+)`/.exec(line)?.[1] : undefined;
}

/** A fix that changes the person's shell (`unset VAR`, `export VAR=value`): done to the world's environment. */
function shellFix(fix: string, env: NodeJS.ProcessEnv): boolean {
  const unset = /^unset ([A-Z_][A-Z0-9_]*)$/.exec(fix);
  if (unset) delete env[unset[1]!];
  const set = /^export ([A-Z_][A-Z0-9_]*)=(\S+)$/.exec(fix);
  if (set) env[set[1]!] = set[2]!;
  return unset !== null || set !== null;
}

const FORM_BROWSER = join(import.meta.dirname, 'form-browser.mjs');

/** Runs a printed command through a real shell, as a person pasting it would, with `tokenloop` being this CLI. */
function runShell(command: string, env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command.replace(/^tokenloop /, '"$TL_NODE" "$TL_BIN" ')], {
      env: { ...env, TL_NODE: process.execPath, TL_BIN: BIN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr })); // 'close': after the last output, not just the exit
  });
}

export interface Situation {
  name: string;
  /**
   * People sign in themselves (no auto-login): `login` opens the stand-in browser, which signs in the person
   * TL_BROWSER_USER names, else the login hint.
   */
  people?: boolean;
  /** Brings the world into the situation. */
  setup?: (w: World) => Promise<void>;
  /** The command that fails (EMULATOR and TLS stand for the URLs), its exit code, what it must say. */
  command: string[];
  exit: number;
  says: RegExp;
  /** The command that must work once the fixes were followed (default: `command`). */
  retry?: string[];
  /** What the person does that a command cannot (the test stands in). */
  beforeFix?: (w: World) => void | Promise<void>;
  /** What must still hold once the command works (e.g. a saved profile left as it was). */
  after?: (w: World) => Promise<void>;
}

/** One situation, in a world of its own: the command fails as it must, and its fixes, followed, resolve it. */
async function followFixes(s: Situation): Promise<void> {
  const w: World = {
    env: baseEnv(freshHome(), s.people ? { BROWSER: FORM_BROWSER } : {}),
    em: await startEmulator({
      ...(s.people ? {} : { autoLogin: 'bob' }),
      settings: { deviceCodeInterval: 1 },
    }),
  };
  // What a person fills in for the placeholders of a fix: the provider's URL and the app's id.
  const fill = (text: string) =>
    text
      .replaceAll('LOCALHOST', w.em.url.replace('127.0.0.1', 'localhost'))
      .replaceAll('EMULATOR', w.em.url)
      .replaceAll('TLS', w.tls?.url ?? 'TLS')
      .replaceAll('CLOSED', `http://127.0.0.1:${w.closedPort ?? 0}`)
      .replace(/\bURL\b/g, `${w.em.url}/organizations`)
      .replace(/\bID\b/g, SAMPLE_IDS.publicApp);
  try {
    await s.setup?.(w);
    const command = s.command.map(fill);
    const failed = await runCli(command, w.env);
    assert.equal(failed.code, s.exit, failed.stderr);
    assert.match(failed.stderr, s.says);
    assert.doesNotMatch(failed.stderr, /\n\s+at |eyJ/, 'no stack trace, no token');
    // S196: a fix that names `tokenloop doctor` tests what failed: run before the world is mended, it fails too
    // (a doctor that checks another profile than the failed command's settings says all is well).
    const firstFix = fixCommand(failed.stderr);
    if (firstFix?.startsWith('tokenloop doctor')) {
      const doctor = await runShell(fill(firstFix), w.env);
      assert.notEqual(
        doctor.code,
        0,
        `\`${firstFix}\` finds nothing wrong:\n${doctor.stdout}${doctor.stderr}`,
      );
    }
    await s.beforeFix?.(w);
    // Follow the fixes, one after the other, until the command works (a fix may reveal the next step).
    const followed: string[] = [];
    let last = failed;
    for (let step = 0; step < 3; step++) {
      const fix = fixCommand(last.stderr);
      assert.ok(fix, `step ${step}: a fix naming a command:\n${last.stderr}`);
      assert.ok(!followed.includes(fix), `the fixes go in a circle: ${followed.join(' → ')} → ${fix}`);
      followed.push(fix);
      if (!shellFix(fix, w.env)) {
        const ran = await runShell(fill(fix), w.env);
        assert.equal(ran.code, 0, `the fix \`${fix}\` failed:\n${ran.stderr}`);
      }
      last = await runCli(s.retry ? s.retry.map(fill) : command, w.env);
      if (last.code === 0) break;
    }
    assert.equal(last.code, 0, `after ${followed.join(' → ')}:\n${last.stderr}`);
    await s.after?.(w);
  } finally {
    await w.em.close();
    await w.tls?.close();
    await w.other?.close();
    await w.scripted?.p.close();
  }
}

/** A test per situation of `subject`; each has a world of its own, so they run side by side. */
export function everyFixWorksWhenFollowed(subject: string, situations: Situation[]): void {
  describe(`every fix the CLI prints works when followed: ${subject}`, { concurrency: 4 }, () => {
    for (const s of situations)
      it(`${s.name}: the fix, followed as printed, resolves it`, () => followFixes(s));
  });
}
