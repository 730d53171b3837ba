// The interactive experience in a real terminal: tmux runs the CLI, capture-pane reads the screen, send-keys
// presses Ctrl-C while the CLI waits for the user.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, startEmulator } from '@tokenloop/emulator';
import { BIN, baseEnv, freshHome, runCli } from './support/cli.js';

const SOCKET = `tokenloop-test-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
const screen = (session: string) => tmux('capture-pane', '-p', '-t', session);

async function waitForScreen(session: string, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    last = screen(session);
    if (pattern.test(last)) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  assert.fail(`the screen never showed ${pattern}:\n${last}`);
}

/** Start the CLI in a new tmux session; the shell prints its exit status afterwards and waits. */
function startInTmux(session: string, home: string, args: string, env: Record<string, string> = {}): void {
  const script = join(home, `${session}.sh`);
  const exports = Object.entries({ TOKENLOOP_HOME: home, ...env })
    .map(([k, v]) => `export ${k}='${v}'`)
    .join('\n');
  writeFileSync(
    script,
    `unset DISPLAY WAYLAND_DISPLAY BROWSER NO_COLOR SSH_CONNECTION SSH_TTY SSH_CLIENT\n${exports}\n'${process.execPath}' '${BIN}' ${args}\necho "EXIT=$?"\nsleep 60\n`,
  );
  tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '20', `bash ${script}`);
}

describe('tokenloop in a real terminal (tmux)', () => {
  let em: RunningEmulator;
  let home: string;
  before(async () => {
    em = await startEmulator({ settings: { deviceCodeInterval: 1 } });
    home = freshHome();
    await runCli(['profile', 'add', 'local', '--emulator', em.url], baseEnv(home));
    // A keeper session holds the server; panes stay readable after their command ends.
    tmux('new-session', '-d', '-s', 'keeper', 'sleep 600');
    tmux('set-option', '-g', 'remain-on-exit', 'on');
  });
  after(async () => {
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
    await em.close();
  });

  it('device code: the code and a live countdown are shown; Ctrl-C cancels with exit 130', async () => {
    startInTmux('device', home, 'login --device');
    const shown = await waitForScreen('device', /Waiting for sign-in… \d+:\d\d left \(Ctrl-C to cancel\)/);
    assert.match(
      shown,
      /To sign in, open http:\/\/127\.0\.0\.1:\d+\/devicelogin and enter the code [A-Z0-9]+/,
    );
    const first = /(\d+:\d\d) left/.exec(shown)![1];
    const later = await waitForScreen('device', new RegExp(`\\d+:\\d\\d left(?<!${first} left)`), 5000);
    assert.notEqual(/(\d+:\d\d) left/.exec(later)![1], first, 'the countdown moves');
    tmux('send-keys', '-t', 'device', 'C-c');
    const end = await waitForScreen('device', /EXIT=\d+/);
    assert.match(end, /EXIT=130/);
    assert.match(end, /tokenloop: .*cancelled/);
    assert.doesNotMatch(end, /Waiting for sign-in/, 'the progress line is cleared');
  });

  it('browser: waiting for the browser; Ctrl-C cancels with exit 130 and the listener is gone', async () => {
    startInTmux('browser', home, 'login', { BROWSER: '/bin/true' });
    const shown = await waitForScreen('browser', /Waiting for the browser… \(Ctrl-C to cancel\)/);
    assert.match(shown, /If it does not open, visit:/);
    const port = Number(/redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A(\d+)/.exec(shown.replace(/\n/g, ''))?.[1]);
    assert.ok(port > 0, 'the printed URL names the loopback port');
    tmux('send-keys', '-t', 'browser', 'C-c');
    const end = await waitForScreen('browser', /EXIT=\d+/);
    assert.match(end, /EXIT=130/);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/`), 'the loopback listener is closed');
  });
});
