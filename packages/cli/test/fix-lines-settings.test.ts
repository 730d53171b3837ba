// Every `fix:` the CLI prints works when followed (support/fix-lines.ts): here the fixes for the settings —
// nothing configured, a profile that does not exist or is not in use, TOKENLOOP_PROFILE, one-off flags, an option
// value that is not what it must be.
import assert from 'node:assert/strict';
import { SAMPLE_IDS } from '@tokenloop/emulator';
import { type Situation, everyFixWorksWhenFollowed } from './support/fix-lines.js';
import { cli, defaultUser, local, savedProfile, signedIn } from './support/fix-world.js';

const situations: Situation[] = [
  { name: 'nothing is configured', command: ['token'], exit: 2, says: /no client id configured/ },
  {
    name: 'a provider given without a client id (the fix signs in with that provider)',
    command: ['token', '--authority', 'EMULATOR/organizations'],
    exit: 2,
    says: /no client id configured/,
    retry: ['token'],
  },
  {
    name: 'AZURE_TENANT_ID set without AZURE_CLIENT_ID',
    setup: async (w) => {
      w.env.AZURE_TENANT_ID = 'organizations';
      w.env.AZURE_AUTHORITY_HOST = w.em.url;
    },
    command: ['token'],
    exit: 2,
    says: /no client id configured/,
  },
  {
    name: 'an unknown profile',
    setup: local,
    command: ['token', '--profile', 'nope'],
    exit: 2,
    says: /no profile named "nope"/,
  },
  {
    name: 'account use without a profile',
    command: [
      'account',
      'use',
      'bob',
      '--authority',
      'EMULATOR/organizations',
      '--client-id',
      SAMPLE_IDS.publicApp,
    ],
    exit: 2,
    says: /no profile is in use/,
  },
  {
    name: 'a one-off provider given by flags while a working profile is in use (S132: the fix does not overwrite it)',
    setup: signedIn,
    command: ['token', '--authority', 'LOCALHOST/organizations', '--client-id', SAMPLE_IDS.publicApp],
    exit: 4,
    says: /sign-in required/,
    after: async (w) => {
      assert.equal(savedProfile(w, 'local')?.authority, `${w.em.url}/organizations`, 'local is as it was');
      assert.equal(await defaultUser(w, '--profile', 'local'), 'bob@contoso.onmicrosoft.com');
    },
  },
  {
    name: 'token --resource that is not a URI',
    setup: signedIn,
    command: ['token', '--resource', 'notauri'],
    exit: 2,
    says: /--resource/,
    retry: ['token', '--resource', 'https://graph.microsoft.com'],
  },
  {
    name: 'profile remove of a profile that does not exist',
    setup: local,
    command: ['profile', 'remove', 'nope'],
    exit: 2,
    says: /no profile named "nope"/,
    retry: ['profile', 'remove', 'local'],
  },
  {
    name: 'profile add with an authority that is not a URL',
    command: ['profile', 'add', 'x', '--authority', 'notaurl', '--client-id', SAMPLE_IDS.publicApp],
    exit: 2,
    says: /must be a URL/,
    retry: [
      'profile',
      'add',
      'x',
      '--authority',
      'EMULATOR/organizations',
      '--client-id',
      SAMPLE_IDS.publicApp,
    ],
  },
  {
    name: 'TOKENLOOP_PROFILE names no profile',
    setup: async (w) => {
      await signedIn(w);
      w.env.TOKENLOOP_PROFILE = 'nope';
    },
    command: ['token'],
    exit: 2,
    says: /TOKENLOOP_PROFILE/,
  },
  {
    name: 'the profile in use was removed and another one is left',
    setup: async (w) => {
      await signedIn(w);
      await cli(w, 'profile', 'add', 'spare', '--emulator', w.em.url, '--use');
      await cli(w, 'profile', 'remove', 'spare');
    },
    command: ['token'],
    exit: 2,
    says: /no profile is in use/,
  },
];

everyFixWorksWhenFollowed('settings, profiles and options', situations);
