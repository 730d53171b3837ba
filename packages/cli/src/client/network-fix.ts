/** The `tokenloop doctor` that tests where the running command looks (S196): set by `loadSettings`. */
let doctor = 'tokenloop doctor';

/**
 * S196: the doctor a fix names carries the provider flags the failed command used (whereFlags), so that it tests
 * those settings rather than the profile in use.
 */
export function setDoctorCommand(command: string): void {
  doctor = command;
}

/**
 * Issue 14 (independent eyes), findings 7 and 11: what to do when a provider cannot be reached or did not answer
 * in time (exit 3) — the one text, for every command (with the command that tests it) and for `doctor` itself.
 */
export function unreachableFix(where: 'command' | 'doctor' = 'command'): string {
  const check = "check the network connection and the provider's URL (a local emulator must be running)";
  return where === 'doctor' ? check : `${check} — \`${doctor}\` tests both — then try again`;
}
