import type { AuthResult, DeviceCodePrompt, TokenClient } from 'tokenloop';
import { terminalText } from '../../output/quote.js';
import { paint, say, statusLine } from '../../output/terminal.js';

/** What a sign-in asks for: the scopes of one resource, and those of others to consent to alongside. */
export interface LoginScopes {
  scopes: string[];
  extra: string[];
}

function countdown(prompt: DeviceCodePrompt): { stop(): void } {
  const line = statusLine();
  const tick = () => {
    const left = Math.max(0, Math.round((prompt.expiresAt.getTime() - Date.now()) / 1000));
    line.update(
      paint(
        'dim',
        `Waiting for sign-in… ${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')} left (Ctrl-C to cancel)`,
      ),
    );
  };
  tick();
  const timer = setInterval(tick, 1000);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      line.done();
    },
  };
}

/** Device code sign-in (RFC 8628): the code and where to enter it on stderr, then a countdown while waiting. */
export async function deviceLogin(
  client: TokenClient,
  scopes: LoginScopes,
  signal: AbortSignal,
  timeoutMs: number,
  onShown: () => void = () => {},
): Promise<AuthResult> {
  let progress: { stop(): void } | undefined;
  try {
    return await client.loginWithDeviceCode({
      scopes: scopes.scopes,
      extraScopesToConsent: scopes.extra,
      signal,
      timeoutMs,
      onPrompt(prompt) {
        onShown();
        say(
          `To sign in, open ${paint('bold', terminalText(prompt.verificationUriComplete ?? prompt.verificationUri))} and enter the code ${paint('bold', terminalText(prompt.userCode))}`,
        );
        progress = countdown(prompt);
      },
    });
  } finally {
    progress?.stop();
  }
}
