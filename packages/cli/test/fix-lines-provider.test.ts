// Every `fix:` the CLI prints works when followed (support/fix-lines.ts): here the fixes for a provider the CLI
// cannot reach or whose certificate it cannot verify (S196: a fix naming doctor tests what failed).
import { type RunningEmulator, SAMPLE_IDS, startEmulator } from '@tokenloop/emulator';
import { type Situation, everyFixWorksWhenFollowed } from './support/fix-lines.js';
import { cli, closedPort, httpsEmulator, restartEmulator, signedIn } from './support/fix-world.js';

const situations: Situation[] = [
  {
    name: "a provider whose certificate's issuer is not trusted (an https emulator)",
    setup: async (w) => {
      const tls = await httpsEmulator(w);
      await cli(
        w,
        'profile',
        'add',
        'tls',
        '--authority',
        `${tls.url}/organizations`,
        '--client-id',
        SAMPLE_IDS.publicApp,
      );
    },
    command: ['login', '--device'],
    exit: 2,
    says: /cannot verify the TLS certificate/,
  },
  {
    name: 'an untrusted certificate with the provider given by flags',
    setup: async (w) => void (await httpsEmulator(w)),
    command: ['login', '--device', '--authority', 'TLS/organizations', '--client-id', SAMPLE_IDS.publicApp],
    exit: 2,
    says: /cannot verify the TLS certificate/,
  },
  {
    name: 'the provider does not answer (exit 3): the fix checks it, once the network is back',
    setup: async (w) => {
      await signedIn(w);
      const port = Number(new URL(w.em.url).port);
      await w.em.close();
      w.em = { url: `http://127.0.0.1:${port}`, close: async () => {} } as RunningEmulator;
    },
    command: ['token', '--force-refresh'],
    exit: 3,
    says: /cannot reach/,
    beforeFix: restartEmulator,
  },
  {
    name: 'S196 login with flags naming a provider that refuses connections (exit 3), another profile in use: the fix runs doctor with those flags',
    setup: async (w) => {
      await signedIn(w); // plain `tokenloop doctor` checks this working profile and finds it well
      w.closedPort = await closedPort();
    },
    command: [
      'login',
      '--device',
      '--authority',
      'CLOSED/organizations',
      '--client-id',
      SAMPLE_IDS.publicApp,
    ],
    exit: 3,
    says: /fix: [^\n]*`tokenloop doctor --authority http:\/\/127\.0\.0\.1:\d+\/organizations --client-id [^`]+`/,
    beforeFix: async (w) => {
      w.other = await startEmulator({
        port: w.closedPort!,
        autoLogin: 'bob',
        settings: { deviceCodeInterval: 1 },
      });
    },
  },
];

everyFixWorksWhenFollowed("the provider's reachability and certificate", situations);
