/**
 * One emulator in a process of its own, started by `startEmulatorProcess()` (emulator-process.ts), so a test
 * can measure the emulator's memory without its own. Options arrive as JSON in TOKENLOOP_EMULATOR_OPTIONS;
 * `log` lines, the URL and answers to `memory`/`sweep` requests go back over IPC.
 */
import { type EmulatorOptions, startEmulator } from '../../src/index.ts';

interface ChildRequest {
  id: number;
  op: 'memory' | 'sweep';
  at?: number;
}

function send(message: unknown): void {
  if (process.connected) process.send?.(message);
}

const options = JSON.parse(process.env['TOKENLOOP_EMULATOR_OPTIONS'] ?? '{}') as EmulatorOptions;
const emulator = await startEmulator({ ...options, log: (line) => send({ type: 'log', line }) });
const gc = (globalThis as { gc?: () => void }).gc;

process.on('message', (m: ChildRequest) => {
  if (m.op === 'memory') {
    // Twice: the first pass may only queue finalizers whose memory the second one frees.
    gc?.();
    gc?.();
    send({ type: 'reply', id: m.id, result: { ...process.memoryUsage(), gcExposed: !!gc } });
  } else if (m.op === 'sweep') {
    send({ type: 'reply', id: m.id, result: emulator.sweep(m.at) });
  }
});
process.on('disconnect', () => {
  void emulator.close().finally(() => process.exit(0));
});
send({ type: 'ready', url: emulator.url });
