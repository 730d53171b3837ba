// The world a `fix:` line is followed in (support/fix-lines.ts): a home of its own, an emulator signing in bob,
// and what else a situation starts (a scripted provider, an https emulator, a port nothing listens on); and the
// steps that bring a world into a situation.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type RunningEmulator, startEmulator } from '@tokenloop/emulator';
import {
  type ScriptedProvider,
  startScriptedProvider,
} from '../../../tokenloop/test/support/scripted-provider.js';
import { runCli } from './cli.js';

/** One situation's own world: a home, an emulator signing in bob, and what else the situation starts. */
export interface World {
  env: NodeJS.ProcessEnv;
  em: RunningEmulator;
  /** A scripted provider that signs in `next` (the person at the browser). */
  scripted?: { p: ScriptedProvider; next: string };
  /** An https emulator whose CA lives in this home's emulator folder (where the CLI looks for it). */
  tls?: RunningEmulator;
  /** A port nothing listens on (yet): a provider the network does not reach; `other` once it is started. */
  closedPort?: number;
  other?: RunningEmulator;
}

export const cli = (w: World, ...args: string[]) =>
  runCli(args, w.env).then((r) => {
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r;
  });
export const local = async (w: World) =>
  void (await cli(w, 'profile', 'add', 'local', '--emulator', w.em.url));
export const signedIn = async (w: World) => {
  await local(w);
  await cli(w, 'login', '--device');
};
async function scripted(w: World): Promise<{ p: ScriptedProvider; next: string }> {
  if (!w.scripted) {
    const s = { p: await startScriptedProvider(), next: 'alice' };
    s.p.on('/token', async () => ({
      body: await s.p.tokenResponse({
        id_token: await s.p.idToken({ sub: `${s.next}-sub`, preferred_username: `${s.next}@example.test` }),
      }),
    }));
    w.scripted = s;
  }
  return w.scripted;
}
export async function scriptedLogin(w: World, user: string): Promise<void> {
  const s = await scripted(w);
  s.next = user;
  await cli(w, 'login', '--device', '--issuer', s.p.url, '--client-id', s.p.clientId, '--scope', 'read');
}
/** People sign in as themselves, one after the other (the last one is the profile's default). */
export async function peopleSignIn(w: World, ...usernames: string[]): Promise<void> {
  await local(w);
  for (const u of usernames) await cli(w, 'login', '--login-hint', u);
}
/** A profile as saved in the world's config.json. */
export function savedProfile(w: World, name: string): { authority?: string; account?: string } | undefined {
  const file = JSON.parse(readFileSync(join(w.env.TOKENLOOP_HOME!, 'config.json'), 'utf8')) as {
    profiles: Record<string, { authority?: string; account?: string }>;
  };
  return file.profiles[name];
}
/** The account plain `tokenloop token` acts for. */
export async function defaultUser(w: World, ...args: string[]): Promise<string> {
  const r = await cli(w, 'token', '--format', 'json', ...args);
  return (JSON.parse(r.stdout) as { account: { username: string } }).account.username;
}
/** The world's emulator, stopped and started again on the same port (its sign-ins are gone with it). */
export async function restartEmulator(w: World): Promise<void> {
  const port = Number(new URL(w.em.url).port);
  await w.em.close();
  w.em = await startEmulator({ port, autoLogin: 'bob', settings: { deviceCodeInterval: 1 } });
}
/** A loopback port nothing listens on: one the system gave out, then closed again. */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
export async function httpsEmulator(w: World): Promise<RunningEmulator> {
  w.tls = await startEmulator({
    https: true,
    dataDir: join(w.env.TOKENLOOP_HOME!, 'emulator'), // where the CLI looks for a local emulator's CA
    autoLogin: 'bob',
    settings: { deviceCodeInterval: 1 },
  });
  return w.tls;
}
