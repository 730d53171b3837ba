// The IMAP relay's parts on their own (issue 16): one reading of the untagged responses that tell the relay what a
// mailbox holds, used both while relaying and when re-selecting after a reconnect, and a sweep that these
// responses are matched nowhere else in the proxy and that upstream failures are known by their class.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { mailboxUpdate } from '../src/commands/mail/proxy/imap-responses.js';

const PROXY = join(import.meta.dirname, '..', 'src', 'commands', 'mail', 'proxy');

it('reads EXISTS, EXPUNGE, UIDVALIDITY and UIDNEXT responses, in any case, and nothing else', () => {
  const table: Array<[string, ReturnType<typeof mailboxUpdate>]> = [
    ['* 23 EXISTS', { exists: 23 }],
    ['* 0 exists', { exists: 0 }],
    ['* 4 EXPUNGE', { expunged: true }],
    ['* OK [UIDVALIDITY 3857529045] UIDs valid', { uidValidity: '3857529045' }],
    ['* ok [uidnext 4392] Predicted next UID', { uidNext: '4392' }],
    ['* 3 RECENT', undefined],
    ['A1 OK [UIDNEXT 5] not untagged', undefined],
    ['* OK [UNSEEN 12] first unseen', undefined],
    ['* 5 FETCH (FLAGS (\\Seen))', undefined],
  ];
  for (const [line, update] of table) assert.deepEqual(mailboxUpdate(line), update, line);
});

it('sweep: the mailbox responses are matched in one module, and upstream failures are told by class', () => {
  const found: string[] = [];
  for (const file of readdirSync(PROXY).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(PROXY, file), 'utf8');
    if (
      file !== 'imap-responses.ts' &&
      /EXISTS|EXPUNGE|UIDVALIDITY \(|UIDNEXT \(/.test(text.replace(/\/\/.*|\/\*[\s\S]*?\*\//g, ''))
    )
      found.push(`${file}: a mailbox response matched outside imap-responses.ts`);
    if (/\{ kind\?: string \}/.test(text)) found.push(`${file}: an upstream failure duck-typed by its kind`);
  }
  assert.deepEqual(found, []);
});
