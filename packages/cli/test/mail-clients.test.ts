// Tokens from the library used by a real mail client library against a real Dovecot: imapflow (IMAP XOAUTH2).
// A token for another user is refused. (nodemailer sends XOAUTH2 inline in the AUTH command, which Dovecot's
// submission service refuses as too long; it needs Postfix with a raised line_length_limit — not yet here.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, startEmulator } from '@tokenloop/emulator';
import { ImapFlow } from 'imapflow';
import { type TokenClient, createTokenClient } from 'tokenloop';
import { OUTLOOK_SCOPES } from 'tokenloop/mail';
import { type RunningDovecot, startDovecot, emulatorIntrospection } from './support/dovecot.js';

describe('imapflow and nodemailer with tokens from the library', () => {
  let em: RunningEmulator;
  let dovecot: RunningDovecot;
  let client: TokenClient;
  const user = 'alice@contoso.onmicrosoft.com';
  before(async () => {
    em = await startEmulator({ autoLogin: 'alice', settings: { deviceCodeInterval: 1 } });
    dovecot = await startDovecot(emulatorIntrospection(em.url));
    client = createTokenClient({ authority: `${em.url}/organizations`, clientId: SAMPLE_IDS.publicApp });
    await client.loginWithDeviceCode({
      scopes: [OUTLOOK_SCOPES.imap],
      extraScopesToConsent: [OUTLOOK_SCOPES.smtp],
      onPrompt: () => {},
    });
  });
  after(async () => {
    await dovecot?.stop();
    await em?.close();
  });

  it('imapflow logs in with XOAUTH2 and opens INBOX', async () => {
    const { accessToken } = await client.acquireTokenSilent({ scopes: [OUTLOOK_SCOPES.imap] });
    const imap = new ImapFlow({
      host: '127.0.0.1',
      port: dovecot.imap,
      secure: false,
      doSTARTTLS: false,
      auth: { user, accessToken },
      logger: false,
    });
    await imap.connect().catch((err: unknown) => {
      throw new Error(`${String(err)}\n${dovecot.log().slice(-1500)}`);
    });
    const box = await imap.mailboxOpen('INBOX');
    assert.equal(box.path, 'INBOX');
    await imap.logout();
  });

  it('imapflow with a token for the wrong user is refused', async () => {
    const { accessToken } = await client.acquireTokenSilent({ scopes: [OUTLOOK_SCOPES.imap] });
    const imap = new ImapFlow({
      host: '127.0.0.1',
      port: dovecot.imap,
      secure: false,
      doSTARTTLS: false,
      auth: { user: 'bob@contoso.onmicrosoft.com', accessToken },
      logger: false,
    });
    await assert.rejects(imap.connect());
  });
});
