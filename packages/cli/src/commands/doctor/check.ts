import { describeError, fixFor } from '../../errors.js';

/** One line of `tokenloop doctor`: what was checked, whether it is fine, what was found and what to do. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

/**
 * A failed check's detail and fix: the fix every command gives for the error (errors.ts fixFor: TLS trust with
 * --ca-file, https, a provider that cannot be reached).
 */
export async function problem(err: unknown): Promise<{ detail: string; fix?: string }> {
  const fix = await fixFor(err, describeError(err), 'doctor');
  return { detail: describeError(err).message, ...(fix ? { fix } : {}) };
}
