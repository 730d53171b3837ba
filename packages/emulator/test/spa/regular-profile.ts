/**
 * Debian's Chromium with a profile of its own in a temporary folder (removed on close), set as a user sets it:
 * with `thirdPartyCookies`, "Allow third-party cookies" (Chromium's cookie controls off); without, Chromium's
 * default, which blocks them (the cookie is excluded with the reason `UserPreferences`). A single-page app's
 * silent sign-in in a hidden iframe needs third-party cookies, against Entra as against the emulator.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { BROWSER_ARGS, CHROMIUM } from '../support/browser.ts';

/** The user's cookie setting "Allow third-party cookies" (Chromium's `CookieControlsMode::kOff`). */
const ALLOW_THIRD_PARTY_COOKIES = { profile: { cookie_controls_mode: 0, block_third_party_cookies: false } };

export interface RegularProfile {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchRegularProfile(
  extraArgs: readonly string[],
  opts: { thirdPartyCookies: boolean },
): Promise<RegularProfile> {
  const dir = await mkdtemp(join(tmpdir(), 'tokenloop-chromium-'));
  try {
    if (opts.thirdPartyCookies) {
      await mkdir(join(dir, 'Default'));
      await writeFile(join(dir, 'Default', 'Preferences'), JSON.stringify(ALLOW_THIRD_PARTY_COOKIES));
    }
    const context = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...BROWSER_ARGS, ...extraArgs],
    });
    return {
      context,
      close: async () => {
        await context.close().catch(() => {});
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
