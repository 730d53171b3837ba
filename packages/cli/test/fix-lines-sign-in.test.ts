// Every `fix:` the CLI prints works when followed (support/fix-lines.ts): here the fixes for a sign-in that is
// needed — none yet, a scope or resource never consented to, a revoked grant, multi-factor authentication.
import { type Situation, everyFixWorksWhenFollowed } from './support/fix-lines.js';
import { local, signedIn } from './support/fix-world.js';

const situations: Situation[] = [
  {
    name: 'a profile without a sign-in',
    setup: local,
    command: ['token'],
    exit: 4,
    says: /sign-in required/,
  },
  {
    name: 'a scope never consented to',
    setup: signedIn,
    command: ['token', '--scope', 'https://outlook.office.com/IMAP.AccessAsUser.All'],
    exit: 4,
    says: /AADSTS65001/,
  },
  {
    name: 'a resource never consented to',
    setup: signedIn,
    command: ['token', '--resource', 'https://outlook.office.com'],
    exit: 4,
    says: /sign-in required/,
  },
  {
    name: 'a revoked grant',
    setup: async (w) => {
      await signedIn(w);
      w.em.revokeUserGrants('bob');
    },
    command: ['token', '--force-refresh'],
    exit: 4,
    says: /AADSTS50173|revoked|invalid_grant/,
  },
  {
    name: 'multi-factor authentication required',
    setup: async (w) => {
      await signedIn(w);
      w.em.setScenarios({ user: 'bob' }, { mfaRequired: true });
    },
    command: ['token', '--force-refresh'],
    retry: ['token'],
    exit: 4,
    says: /AADSTS50076/,
  },
  { name: 'whoami before any sign-in', setup: local, command: ['whoami'], exit: 4, says: /sign-in required/ },
  {
    name: 'whoami after the grants were revoked, the access token still cached (S134)',
    setup: async (w) => {
      await signedIn(w);
      w.em.revokeUserGrants('bob');
    },
    command: ['whoami'],
    exit: 4,
    says: /sign-in required/,
  },
];

everyFixWorksWhenFollowed('sign-in, consent and grants', situations);
