/**
 * Issue 14 (independent eyes), findings 7 and 11: what to do when a provider cannot be reached or did not answer
 * in time (exit 3) — the one text, for every command (with the command that tests it) and for `doctor` itself.
 */
export function unreachableFix(where: 'command' | 'doctor' = 'command'): string {
  const check = "check the network connection and the provider's URL (a local emulator must be running)";
  return where === 'doctor' ? check : `${check} — \`tokenloop doctor\` tests both — then try again`;
}
