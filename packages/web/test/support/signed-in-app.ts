// The parts the sign-in tests share: the emulator (alice signs in by herself), the test app registered as
// contoso's web app on Express or Fastify, and its memory session store; and a browser signed in through it.
// Exported as live bindings, set by the enclosing suite's hooks (each suite starts and stops its own).
import { after, before } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, SAMPLE_SECRETS, startEmulator } from '@tokenloop/emulator';
import { memorySessionStore } from '@tokenloop/web';
import { type Adapter, Browser, type TestApp, startWebApp } from './web-app.js';

/** What the app's home page says once alice signed in. */
export const ALICE = 'signed in as alice@contoso.onmicrosoft.com';

export let em: RunningEmulator;
export let app: TestApp;
/** The app's session store, for tests that look into it or change what it holds. */
export let store: ReturnType<typeof memorySessionStore>;

export interface SignInAppOptions {
  adapter: Adapter;
  /** The scope of the app's `/api-call` (incremental consent); default User.Read. */
  apiScope?: string;
  sessionTtlSeconds?: number;
}

/** Registers the before / after hooks of the enclosing suite that start and stop the emulator and the app. */
export function useSignInApp(options: SignInAppOptions): void {
  const started: { em?: RunningEmulator; app?: TestApp } = {};
  before(async () => {
    store = memorySessionStore();
    em = started.em = await startEmulator({ autoLogin: 'alice' });
    app = started.app = await startWebApp({
      authority: `${em.url}/${SAMPLE_IDS.contoso}`,
      clientId: SAMPLE_IDS.webApp,
      clientSecret: SAMPLE_SECRETS.webApp,
      sessionStore: store,
      ...(options.sessionTtlSeconds === undefined ? {} : { sessionTtlSeconds: options.sessionTtlSeconds }),
      graphBase: em.url,
      apiScope: options.apiScope ?? 'User.Read',
      adapter: options.adapter,
    });
  });
  after(async () => {
    await started.app?.close();
    await started.em?.close();
  });
}

/** `browser` (a new one by default) after a whole sign-in through the app's login route. */
export async function signIn(browser = new Browser()): Promise<Browser> {
  await browser.go(`${app.url}/auth/login`);
  return browser;
}

/** What the app's home page says to `browser`: who is signed in, or `anonymous`. */
export async function whoAmI(browser: Browser): Promise<string> {
  return (await browser.request(`${app.url}/`)).text();
}
