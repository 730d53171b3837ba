import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium, installed by scripts/ensure-system-deps.mjs. */
export const CHROMIUM = '/usr/bin/chromium';

/** Launches real headless Chromium with the flags this workplace needs (closed network, root); Playwright gives it a fresh profile. */
export async function launchBrowser(): Promise<Browser> {
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
    ],
  });
}

/** Where tests keep screenshots and other artifacts: `artifacts/<group>/` at the repository root. */
export function artifactDir(group: string): string {
  const dir = join(import.meta.dirname, '..', '..', '..', '..', 'artifacts', group);
  mkdirSync(dir, { recursive: true });
  return dir;
}
