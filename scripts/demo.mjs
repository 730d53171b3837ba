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
    process.exit(2);
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
  // An emulator already running on the port is used as it is; something else on the port is named.
  const running = emulatorPort === '0' ? undefined : await runningEmulator(Number(emulatorPort));
  if (running === 'other') {
    console.error(
      `demo: port ${emulatorPort} on 127.0.0.1 is in use, and not by a tokenloop emulator: choose another with EMULATOR_PORT=${Number(emulatorPort) + 1} npm run demo (EMULATOR_PORT=0: any free port)`,
    );
    process.exit(2);
  }
  const child = running
    ? undefined
    : spawn(
        process.execPath,
        [`${root}packages/cli/bin/tokenloop.js`, 'emulator', '--port', emulatorPort, '--json'],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
  const emulator =
    running ??
    JSON.parse(
      await new Promise((resolve, reject) => {
        const rl = createInterface({ input: child.stdout });
        rl.once('line', (line) => resolve(line));
        child.once('exit', (code) => reject(new Error(`the emulator exited with code ${code}`)));
      }).catch((err) => {
        console.error(`demo: ${err.message}`);
        process.exit(1);
      }),
    );
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
      testUsers: emulator.users.filter((u) => u.tenantId === tenant.id),
    },
  }).catch((err) => {
    console.error(`demo: ${err.message}`);
    child?.kill();
    process.exit(2);
  });

  const users = emulator.users.map((u) => `    ${u.username.padEnd(34)} password ${u.password}`).join('\n');
  process.stdout.write(`
tokenloop demo
  Open ${app.url} and choose "Sign in with Microsoft".

  Identity platform (emulator)  ${emulator.url}   admin page: ${emulator.url}/_emulator/${running ? `\n  (the emulator already running at ${emulator.url}: it keeps running after the demo)` : ''}
  Demo users (local test accounts only):
${users}

Press Ctrl-C to stop.
`);

  const stop = () => {
    app.close();
    if (child) child.kill('SIGTERM');
    else process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  child?.once('exit', () => {
    app.close();
    process.exit(0);
  });
}

/**
 * What listens on 127.0.0.1:PORT: a tokenloop emulator (its directory, as `tokenloop emulator --json` prints it),
 * 'other' (something that is not one), or undefined (nothing).
 */
async function runningEmulator(port) {
  let response;
  try {
    response = await fetch(`http://127.0.0.1:${port}/_emulator/api/directory`, {
      signal: AbortSignal.timeout(3000),
    });
  } catch (err) {
    return err?.cause?.code === 'ECONNREFUSED' ? undefined : 'other';
  }
  const body = await response.json().catch(() => undefined);
  const emulator =
    response.ok &&
    typeof body?.url === 'string' &&
    Array.isArray(body.tenants) &&
    Array.isArray(body.apps) &&
    Array.isArray(body.users);
  return emulator ? body : 'other';
}
