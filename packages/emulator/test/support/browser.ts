import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium, installed by scripts/ensure-system-deps.mjs. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Launches real headless Chromium with the flags this workplace needs (closed network, root); Playwright gives it a
 * fresh profile. `extraArgs` are added after them (e.g. `--ignore-certificate-errors-spki-list=…` to trust the
 * emulator's https key).
 */
export async function launchBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}

/** Where tests keep screenshots and other artifacts: `artifacts/<group>/` at the repository root. */
export function artifactDir(group: string): string {
  const dir = join(import.meta.dirname, '..', '..', '..', '..', 'artifacts', group);
  mkdirSync(dir, { recursive: true });
  return dir;
}
