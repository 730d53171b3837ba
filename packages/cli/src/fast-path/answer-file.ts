// The bin's reader of the token agent's answer records (commands/agent/answer-record.ts): the first thing
// `tokenloop token` tries while an agent runs. A record that holds (S221) is printed with `fs` alone; anything
// else — none, another user's or a file others may read (S222: the one private-file reader, as a secret), a
// record that no longer holds — is a miss, and the agent is asked on its socket.
import { dirname } from 'node:path';
import { readPrivateFileSync } from 'tokenloop/private-files';
import { answerFile, parseAnswerRecord, recordHolds } from '../commands/agent/answer-record.js';

/** The kept answer to this request, or undefined. Never throws. */
export function keptAnswer(
  socket: string,
  request: { build: string; args: readonly string[]; cwd: string; env: NodeJS.ProcessEnv },
): string | undefined {
  try {
    const file = answerFile(dirname(socket), request.build, request.cwd, request.args);
    const read = readPrivateFileSync(file, { secret: true });
    const record = read && parseAnswerRecord(read.data.toString('utf8'));
    return record && recordHolds(record, request, Date.now()) ? record.stdout : undefined;
  } catch {
    return undefined;
  }
}
