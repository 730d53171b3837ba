// A foreground token agent (`tokenloop agent`) for the agent tests, at the pinned time of the caller's
// TL_TEST_NOW (support/pinned-clock.cjs), resolved once it listens; stopped with SIGTERM (SIGKILL after 10 s).
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { BIN } from './cli.js';

export const PINNED_CLOCK = join(import.meta.dirname, 'pinned-clock.cjs');
const AGENT_START_MS = 20_000;

export interface RunningAgent {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  closed: Promise<number | null>;
  stop(): Promise<void>;
}

export function startAgent(env: NodeJS.ProcessEnv): Promise<RunningAgent> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', PINNED_CLOCK, BIN, 'agent'], { env });
    let output = '';
    const closed = new Promise<number | null>((r) => child.on('close', r));
    const agent: RunningAgent = {
      child,
      output: () => output,
      closed,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGCONT');
          child.kill('SIGTERM');
        }
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await closed;
        clearTimeout(timer);
      },
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the agent did not listen within ${AGENT_START_MS / 1000} s: ${output}`));
    }, AGENT_START_MS);
    const seen = (d: Buffer) => {
      output += d.toString();
      if (/listening on /.test(output)) {
        clearTimeout(timer);
        resolve(agent);
      }
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    void closed.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the agent ended (exit ${code}) before it listened: ${output}`));
    });
  });
}
