// The bin's reader of the token agent's answer records (agent-wire/answer-record.ts): the first thing
// `tokenloop token` tries while an agent runs. A record that holds (S221) is printed with `fs` alone; anything
// else — none, another user's or a file others may read (S222: the one private-file reader, as a secret), a
// record that no longer holds — is a miss, and the agent is asked on its socket.
import { dirname } from 'node:path';
import { checkPrivateDirectorySync, readPrivateFileSync } from 'tokenloop/private-files';
import { answerFile, parseAnswerRecord, recordHolds } from '../agent-wire/answer-record.js';

/** The kept answer to this request, or undefined. Never throws. */
export function keptAnswer(
  socket: string,
  request: { build: string; args: readonly string[]; cwd: string; env: NodeJS.ProcessEnv },
): string | undefined {
  try {
    const file = answerFile(dirname(socket), request.build, request.cwd, request.args);
    const read = readPrivateFileSync(file, { secret: true });
    const record = read && parseAnswerRecord(read.data.toString('utf8'));
    if (!record || !recordHolds(record, request, Date.now())) return undefined;
    // S221: the folders the answer's files lie in must still pass the private-folder rule the fast path applies
    // to them (S80): opened to others or handed to another user, they make the command line refuse, not this.
    for (const folder of new Set(record.sources.map(([path]) => dirname(path))))
      checkPrivateDirectorySync(folder);
    return record.stdout;
  } catch {
    return undefined;
  }
}
