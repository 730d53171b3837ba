#!/usr/bin/env node
// A "system browser" for tests: `$BROWSER` points here. Opens the URL in real headless Debian Chromium, signs
// in on the emulator's pages (TL_BROWSER_USER / TL_BROWSER_PASSWORD), accepts consent, and waits for the
// loopback page. Writes what it saw to TL_BROWSER_LOG (JSON) and a screenshot to TL_BROWSER_SHOT if set.
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../../../emulator/test/support/chromium.mjs';

const url = process.argv[2];
const log = (result) =>
  process.env.TL_BROWSER_LOG && writeFileSync(process.env.TL_BROWSER_LOG, JSON.stringify(result));
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: [...CHROMIUM_ARGS, '--no-first-run'],
});
try {
  const page = await browser.newPage();
  const redirect = new URL(new URL(url).searchParams.get('redirect_uri'));
  await page.goto(url);
  for (let step = 0; step < 10; step++) {
    if (new URL(page.url()).host === redirect.host) break;
    if (await page.getByLabel('Username').count()) {
      await page.getByLabel('Username').fill(process.env.TL_BROWSER_USER ?? '');
      await page.getByLabel('Password').fill(process.env.TL_BROWSER_PASSWORD ?? '');
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
    } else if (await page.getByRole('button', { name: 'Accept' }).count()) {
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Accept' }).click()]);
    } else {
      await page.waitForURL((u) => u.host === redirect.host, { timeout: 10_000 });
    }
  }
  const title = await page.title();
  if (process.env.TL_BROWSER_SHOT) await page.screenshot({ path: process.env.TL_BROWSER_SHOT });
  log({ title, url: new URL(page.url()).origin + new URL(page.url()).pathname });
} catch (err) {
  log({ error: String(err?.message ?? err) });
  process.exitCode = 1;
} finally {
  await browser.close();
}
