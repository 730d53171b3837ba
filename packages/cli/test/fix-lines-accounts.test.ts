// Every `fix:` the CLI prints works when followed (support/fix-lines.ts): here the fixes for the account a
// command acts for — several signed in and none the default, one that is not signed in.
import { type Situation, everyFixWorksWhenFollowed } from './support/fix-lines.js';
import { cli, peopleSignIn, scriptedLogin } from './support/fix-world.js';

const situations: Situation[] = [
  {
    name: 'several accounts and none the default',
    setup: async (w) => {
      for (const user of ['alice', 'bob', 'carol']) await scriptedLogin(w, user);
      await cli(w, 'logout', 'carol', '--no-browser');
    },
    command: ['token'],
    exit: 2,
    says: /2 accounts are signed in/,
  },
  {
    name: 'an account that is not signed in',
    setup: (w) => scriptedLogin(w, 'alice'),
    command: ['token', '--account', 'carol@example.test'],
    exit: 4,
    says: /no account "carol@example\.test" is signed in/,
    beforeFix: (w) => {
      w.scripted!.next = 'carol'; // the person signs in as carol in the browser
    },
  },
  {
    name: 'logout with several accounts and no name',
    setup: async (w) => {
      for (const user of ['alice', 'bob']) await scriptedLogin(w, user);
    },
    command: ['logout', '--no-browser'],
    exit: 2,
    says: /2 accounts are signed in/,
  },
  {
    name: 'account use NAME for someone not signed in: the fix signs them in',
    people: true,
    setup: (w) => peopleSignIn(w, 'alice@contoso.onmicrosoft.com'),
    command: ['account', 'use', 'carol'],
    exit: 4,
    says: /no account "carol" is signed in[^]*fix: .*`tokenloop login [^`]*--login-hint carol`/,
    beforeFix: (w) => {
      w.env.TL_BROWSER_USER = 'carol@fabrikam.onmicrosoft.com';
    },
  },
  {
    name: 'token --account NAME (no @) for someone not signed in: the fix signs in as NAME',
    people: true,
    setup: (w) => peopleSignIn(w, 'alice@contoso.onmicrosoft.com'),
    command: ['token', '--account', 'carol'],
    exit: 4,
    says: /no account "carol" is signed in[^]*fix: .*`tokenloop login [^`]*--login-hint carol`/,
    beforeFix: (w) => {
      w.env.TL_BROWSER_USER = 'carol@fabrikam.onmicrosoft.com';
    },
  },
];

everyFixWorksWhenFollowed('which account', situations);
