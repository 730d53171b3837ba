// The one launch rule for real Chromium in every package's tests (the TypeScript helpers and the .mjs browser
// drivers import it): Debian's Chromium, driven by playwright-core, with these flags. A test that needs more flags
// appends them to CHROMIUM_ARGS.

/** Debian's Chromium, installed by scripts/ensure-system-deps.mjs. */
export const CHROMIUM = '/usr/bin/chromium';

/** The flags every launch starts with: headless, root without a sandbox, no GPU, no traffic of its own. */
export const CHROMIUM_ARGS = Object.freeze([
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
]);
