#!/usr/bin/env node
// `npm run demo`: the emulator plus a "Sign in with Microsoft" web app on http://127.0.0.1:3000 (or $PORT),
// built on @tokenloop/web: sign in → Graph /me → a protected sample API that calls Graph on-behalf-of → sign out.
//
// Against a real tenant instead (no emulator): set DEMO_TENANT_ID, DEMO_WEB_CLIENT_ID, DEMO_WEB_CLIENT_SECRET,
// DEMO_API_CLIENT_ID, DEMO_API_CLIENT_SECRET and DEMO_API_APP_ID_URI (see docs/web.md for the registrations).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { startDemoApp } from './demo/app.mjs';

const root = new URL('..', import.meta.url).pathname;
const port = Number(process.env.PORT ?? 3000);
const REAL = [
  'DEMO_TENANT_ID',
  'DEMO_WEB_CLIENT_ID',
  'DEMO_WEB_CLIENT_SECRET',
  'DEMO_API_CLIENT_ID',
  'DEMO_API_CLIENT_SECRET',
  'DEMO_API_APP_ID_URI',
];
const given = REAL.filter((k) => process.env[k]);

if (given.length > 0 && given.length < REAL.length) {
  console.error(
    `demo: for a real tenant set all of ${REAL.join(', ')} (missing: ${REAL.filter((k) => !process.env[k]).join(', ')})`,
  );
  process.exit(2);
}

if (given.length === REAL.length) {
  const env = process.env;
  const app = await startDemoApp({
    port,
    settings: {
      authority: `https://login.microsoftonline.com/${env.DEMO_TENANT_ID}`,
      web: { clientId: env.DEMO_WEB_CLIENT_ID, secret: env.DEMO_WEB_CLIENT_SECRET },
      api: {
        clientId: env.DEMO_API_CLIENT_ID,
        secret: env.DEMO_API_CLIENT_SECRET,
        appIdUri: env.DEMO_API_APP_ID_URI,
      },
      graphBase: 'https://graph.microsoft.com',
    },
  }).catch((err) => {
    console.error(`demo: ${err.message}`);
    process.exit(1);
  });
  process.stdout.write(
    `\ntokenloop demo (tenant ${env.DEMO_TENANT_ID})\n  Open ${app.url} and choose "Sign in with Microsoft".\n\nPress Ctrl-C to stop.\n`,
  );
  const stop = () => {
    app.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} else {
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
  const app = await startDemoApp({
    port,
    settings: {
      authority: `${emulator.url}/${tenant.id}`,
      web: { clientId: webApp.clientId, secret: webApp.secret },
      api: { clientId: apiApp.clientId, secret: apiApp.secret, appIdUri: apiApp.appIdUri },
      graphBase: emulator.url,
    },
  }).catch((err) => {
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
}
