import { isLoopbackHost } from 'tokenloop';

/** Can a browser be opened here? `$BROWSER`, macOS / Windows, or a Linux desktop session. */
export function browserAvailable(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): boolean {
  if (env.BROWSER) return true;
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** True in an SSH session, where the browser is on another machine. */
export function remoteSession(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.SSH_CONNECTION || env.SSH_CLIENT || env.SSH_TTY);
}

/** A port of this machine's loopback that the browser on the person's own machine must reach. */
export interface Forward {
  port: number;
  /** The loopback host the port is on here (`127.0.0.1`, `localhost`, `[::1]`). */
  host: string;
}

/**
 * The provider's port to forward too when the provider runs on this machine's loopback (a local emulator): the
 * browser on the person's machine is sent to its sign-in page. Undefined for any other provider.
 */
export function providerForward(providerUrl: string | undefined): Forward | undefined {
  if (!providerUrl || !URL.canParse(providerUrl)) return undefined;
  const url = new URL(providerUrl);
  if (!isLoopbackHost(url.hostname)) return undefined; // S210: the library's one loopback rule
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return { port, host: url.hostname };
}

/**
 * The ssh command, run on the person's own machine, that brings this machine's loopback port there — and the
 * local provider's (providerForward), when there is one.
 */
export function sshTunnel(port: number, env: NodeJS.ProcessEnv = process.env, provider?: Forward): string {
  const host = env.SSH_CONNECTION?.split(' ')[2] ?? 'this-host';
  const forwards = [{ port, host: '127.0.0.1' }, ...(provider && provider.port !== port ? [provider] : [])];
  return `ssh ${forwards.map((f) => `-L ${f.port}:${f.host}:${f.port}`).join(' ')} ${host}`;
}

/** What the second `-L` of sshTunnel is for, when there is one. */
export function providerForwardNote(provider: Forward | undefined): string {
  return provider
    ? ` (the second -L forwards the local emulator at ${provider.host}:${provider.port}, whose sign-in page the browser opens too)`
    : '';
}

/**
 * How to use the local browser from an SSH session, through one tunnel set up before the login. `login` is this
 * login with its own flags (loginCommand), so that the hint signs in where the login was to, as the account it
 * named; `provider` is the local emulator's port to forward too (providerForward).
 */
export function sshHint(
  port: number,
  login: string,
  env: NodeJS.ProcessEnv = process.env,
  provider?: Forward,
): string {
  return `to use the browser on your own machine through a tunnel set up beforehand: ${sshTunnel(port, env, provider)}${providerForwardNote(provider)}, then run \`${login} --browser --port ${port}\` here and open the printed URL on your machine`;
}
