// Shared set-up of the library benches: an https emulator on loopback (auto-login, its local CA in a temporary
// data directory), and one app registration used through both clients — tokenloop (memory store) and
// @azure/msal-node (PublicClientApplication, its in-memory cache) — each signed in once with the device code
// flow, so each holds a genuinely equivalent cache: one account, one valid access token for User.Read, an ID
// token and a refresh token.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AccountInfo as MsalAccount,
  type AuthenticationResult,
  LogLevel,
  PublicClientApplication,
} from '@azure/msal-node';
import { type RunningEmulator, SAMPLE_IDS, startEmulator } from '@tokenloop/emulator';
import { type AccountInfo, type AuthResult, createTokenClient, type TokenClient } from 'tokenloop';
import { trustingNetwork } from './library-tls.ts';

/** Graph's User.Read, fully qualified: msal-node matches cached scopes literally, as the server returned them. */
export const USER_READ = 'https://graph.microsoft.com/User.Read';
export const CLIENT_ID = SAMPLE_IDS.publicApp;

export interface SignedIn {
  emulator: RunningEmulator;
  authority: string;
  tokenloop: TokenClient;
  msal: PublicClientApplication;
  /** The real signed-in account, as each client reported it. */
  tlAccount: AccountInfo;
  msalAccount: MsalAccount;
  /** The access tokens the sign-ins returned (compared against, never printed). */
  tlToken: AuthResult;
  msalToken: AuthenticationResult;
  /** MSAL warnings and errors (PII logging off). */
  msalLog: string[];
  close(): Promise<void>;
}

/** Node, CPU and core count, for the tables. */
export function machine(): { node: string; cpu: string; cores: number } {
  return { node: process.version, cpu: cpus()[0]?.model.trim() ?? 'unknown', cores: availableParallelism() };
}

/** Kills the bench if it overruns: a bench that cannot finish has failed to measure. */
export function watchdog(ms: number, name: string): void {
  setTimeout(() => {
    console.error(`${name}: did not finish within ${ms / 1000} s`);
    process.exit(1);
  }, ms).unref();
}

export async function signInBoth(options: { accessTokenLifetime?: number } = {}): Promise<SignedIn> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tl-bench-lib-'));
  // Also when the watchdog ends the bench.
  const removeDataDir = (): void => rmSync(dataDir, { recursive: true, force: true });
  process.once('exit', removeDataDir);
  let emulator: RunningEmulator | undefined;
  let net: ReturnType<typeof trustingNetwork> | undefined;
  try {
    emulator = await startEmulator({
      https: true,
      dataDir,
      autoLogin: 'alice',
      settings: { deviceCodeInterval: 1 },
      ...options,
    });
    if (!emulator.caCertFile || !/^https:\/\/127\.0\.0\.1:\d+$/.test(emulator.url))
      throw new Error(`expected an https loopback emulator, got ${emulator.url}`);
    net = trustingNetwork(emulator.caCertFile);
    const authority = `${emulator.url}/${SAMPLE_IDS.contoso}`;

    const tokenloop = createTokenClient({ authority, clientId: CLIENT_ID, http: { fetch: net.fetch } });
    const msalLog: string[] = [];
    const msal = new PublicClientApplication({
      auth: { clientId: CLIENT_ID, authority, knownAuthorities: [new URL(authority).host] },
      system: {
        networkClient: net.msal,
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: LogLevel.Warning,
          loggerCallback: (_level, message) => {
            if (msalLog.length < 200) msalLog.push(message);
          },
        },
      },
    });

    const [tlToken, msalToken] = await Promise.all([
      tokenloop.loginWithDeviceCode({ scopes: [USER_READ], onPrompt: () => {}, timeoutMs: 30_000 }),
      msal.acquireTokenByDeviceCode({ scopes: [USER_READ], timeout: 30, deviceCodeCallback: () => {} }),
    ]);
    if (!msalToken?.account || !tlToken.account) throw new Error('a sign-in returned no account');
    if (tlToken.account.homeAccountId !== msalToken.account.homeAccountId)
      throw new Error('the two clients signed in different accounts');
    const tlAccounts = await tokenloop.getAccounts();
    const msalAccounts = await msal.getTokenCache().getAllAccounts();
    if (tlAccounts.length !== 1 || msalAccounts.length !== 1)
      throw new Error(
        `expected one account in each cache, got ${tlAccounts.length} and ${msalAccounts.length}`,
      );

    const em = emulator;
    const n = net;
    return {
      emulator: em,
      authority,
      tokenloop,
      msal,
      tlAccount: tlToken.account,
      msalAccount: msalToken.account,
      tlToken,
      msalToken,
      msalLog,
      close: async () => {
        await tokenloop.close();
        await n.close();
        await em.close();
        process.off('exit', removeDataDir);
        removeDataDir();
      },
    };
  } catch (err) {
    await net?.close();
    await emulator?.close();
    process.off('exit', removeDataDir);
    removeDataDir();
    throw err;
  }
}
