import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium.mjs';

export { CHROMIUM };

/**
 * The shared flags (chromium.mjs) and what the emulator's browser tests add: no QUIC, no first-run pages, no
 * component updates or sync (nothing that reaches for the network in this closed workplace).
 */
export const BROWSER_ARGS: readonly string[] = [
  ...CHROMIUM_ARGS,
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches real headless Chromium with the flags this workplace needs (closed network, root); Playwright gives it a
 * fresh profile. `extraArgs` are added after them (e.g. `--ignore-certificate-errors-spki-list=…` to trust the
 * emulator's https key).
 */
export async function launchBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...BROWSER_ARGS, ...extraArgs],
  });
}

/** Where tests keep screenshots and other artifacts: `artifacts/<group>/` at the repository root. */
export function artifactDir(group: string): string {
  const dir = join(import.meta.dirname, '..', '..', '..', '..', 'artifacts', group);
  mkdirSync(dir, { recursive: true });
  return dir;
}
