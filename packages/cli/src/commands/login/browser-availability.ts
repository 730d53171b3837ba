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

/** The ssh command, run on the person's own machine, that brings this machine's loopback port there. */
export function sshTunnel(port: number, env: NodeJS.ProcessEnv = process.env): string {
  const host = env.SSH_CONNECTION?.split(' ')[2] ?? 'this-host';
  return `ssh -L ${port}:127.0.0.1:${port} ${host}`;
}

/**
 * How to use the local browser from an SSH session, through one tunnel set up before the login. `login` is this
 * login with its own flags (loginCommand), so that the hint signs in where the login was to.
 */
export function sshHint(port: number, login: string, env: NodeJS.ProcessEnv = process.env): string {
  return `to use the browser on your own machine through a tunnel set up beforehand: ${sshTunnel(port, env)}, then run \`${login} --browser --port ${port}\` here and open the printed URL on your machine`;
}
