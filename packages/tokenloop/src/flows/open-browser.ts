import { spawn } from 'node:child_process';
import { TokenloopError } from '../errors/errors.js';

/** The command that opens a URL: `$BROWSER` (first entry; `%s` is replaced, else the URL is appended), else the desktop's opener. */
export function browserCommand(
  url: string,
  env: NodeJS.ProcessEnv = process.env,
  platform = process.platform,
): [string, string[]] {
  const configured = env.BROWSER?.split(':')
    .map((s) => s.trim())
    .find(Boolean);
  if (configured) {
    const parts = configured.split(/\s+/);
    const args = parts.slice(1);
    const substituted = args.some((a) => a.includes('%s'));
    return [parts[0]!, substituted ? args.map((a) => a.replaceAll('%s', url)) : [...args, url]];
  }
  if (platform === 'darwin') return ['open', [url]];
  if (platform === 'win32') return ['rundll32', ['url.dll,FileProtocolHandler', url]];
  return ['xdg-open', [url]];
}

/**
 * Open the system browser (never an embedded webview, S20) and resolve once the opener has started (or
 * exited successfully). Rejects when no opener exists or it fails at once.
 */
export function openSystemBrowser(url: URL): Promise<void> {
  const [command, args] = browserCommand(url.href);
  return new Promise((resolve, reject) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, args, { stdio: 'ignore', detached: true });
    } catch {
      reject(new TokenloopError('CONFIGURATION', `could not start the browser (${command})`));
      return;
    }
    let settled = false;
    const settle = (err?: TokenloopError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    };
    child.once('error', () =>
      settle(
        new TokenloopError('CONFIGURATION', `could not start the browser (${command})`, {
          remediation: 'Set $BROWSER, or sign in with a device code.',
        }),
      ),
    );
    child.once('exit', (code) =>
      settle(
        code === 0
          ? undefined
          : new TokenloopError('CONFIGURATION', `the browser opener (${command}) exited with status ${code}`),
      ),
    );
    // A browser that keeps running is fine: consider it opened after a short while.
    const timer = setTimeout(() => settle(), 1500);
    child.unref();
  });
}
