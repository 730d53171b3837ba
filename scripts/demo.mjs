#!/usr/bin/env node
// `npm run demo`: the emulator plus a small "Sign in with Microsoft" page on http://127.0.0.1:3000 (or $PORT)
// that uses the emulator's sample web app: sign in → ID token claims and Graph /me → sign out.
// Until the web middleware lands (see the issues), the page does the protocol steps itself, in plain view.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { startDemoApp } from './demo/app.mjs';

const root = new URL('..', import.meta.url).pathname;
const emulatorPort = process.env.EMULATOR_PORT ?? '8400';
const child = spawn(
  process.execPath,
  [`${root}packages/cli/bin/tokenloop.js`, 'emulator', '--port', emulatorPort, '--json'],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const first = await new Promise((resolve, reject) => {
  const rl = createInterface({ input: child.stdout });
  rl.once('line', (line) => resolve(line));
  child.once('exit', (code) => reject(new Error(`the emulator exited with code ${code}`)));
}).catch((err) => {
  console.error(`demo: ${err.message}`);
  process.exit(1);
});
const emulator = JSON.parse(first);
const tenant = emulator.tenants[0];
const webApp = emulator.apps.find((a) => a.type === 'web');
const apiApp = emulator.apps.find((a) => a.type === 'api');
const settings = {
  authority: `${emulator.url}/${tenant.id}`,
  web: { clientId: webApp.clientId, secret: webApp.secret },
  api: { clientId: apiApp.clientId, secret: apiApp.secret, appIdUri: apiApp.appIdUri },
  graphBase: emulator.url,
};
const app = await startDemoApp({ settings, port: Number(process.env.PORT ?? 3000) }).catch((err) => {
  console.error(`demo: ${err.message}`);
  child.kill();
  process.exit(1);
});

const users = emulator.users.map((u) => `    ${u.username.padEnd(34)} password ${u.password}`).join('\n');
process.stdout.write(`
tokenloop demo
  Open ${app.url} and choose "Sign in with Microsoft".

  Identity platform (emulator)  ${emulator.url}   admin page: ${emulator.url}/_emulator/
  Demo users (local test accounts only):
${users}

Press Ctrl-C to stop.
`);

const stop = () => {
  app.close();
  child.kill('SIGTERM');
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
child.once('exit', () => {
  app.close();
  process.exit(0);
});
