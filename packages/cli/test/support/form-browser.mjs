#!/usr/bin/env node
// A "system browser" for tests that sign in several people on one emulator without Chromium: `$BROWSER` points
// here. Over plain HTTP it does what a person at a browser does on the emulator's pages — keeps the cookies, signs
// in (as TL_BROWSER_USER, the person's choice, else as the URL's login_hint; with TL_BROWSER_PASSWORD, else the
// sample directory's `NAME-password-1`), accepts consent — and delivers the answer to the loopback redirect.
// Exits 1 (naming the step) when a page is not one it knows; every request is bounded.
const url = new URL(process.argv[2] ?? '');
const origin = url.origin;
const user = process.env.TL_BROWSER_USER || url.searchParams.get('login_hint') || '';
const password = process.env.TL_BROWSER_PASSWORD || `${user.split('@')[0]}-password-1`;
const cookies = new Map();

function remember(res) {
  for (const line of res.headers.getSetCookie()) {
    const m = /^([^=;\s]+)=([^;]*)/.exec(line);
    if (!m) continue;
    if (m[2] === '' || /;\s*max-age=0\b/i.test(line)) cookies.delete(m[1]);
    else cookies.set(m[1], m[2]);
  }
}

async function request(target, form) {
  const headers = {};
  if (cookies.size) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  if (form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    headers.origin = origin;
    headers['sec-fetch-site'] = 'same-origin';
  }
  const res = await fetch(target, {
    method: form ? 'POST' : 'GET',
    redirect: 'manual',
    headers,
    body: form ? new URLSearchParams(form).toString() : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  remember(res);
  return res;
}

const hidden = (html, name) =>
  new RegExp(`<input type="hidden" name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
const action = (html) => /<form method="post" action="([^"]+)"/.exec(html)?.[1]?.replaceAll('&amp;', '&');

let res = await request(url);
for (let step = 0; step < 12; step++) {
  const location = res.headers.get('location');
  if (res.status >= 300 && res.status < 400 && location) {
    const next = new URL(location, origin);
    res = await request(next);
    if (next.origin !== origin) process.exit(res.ok ? 0 : 1); // delivered to the app's loopback
    continue;
  }
  const html = await res.text();
  const target = action(html);
  if (!target) {
    process.stderr.write(`form-browser: step ${step}: HTTP ${res.status} without a form or a redirect\n`);
    process.exit(1);
  }
  const tx = hidden(html, 'tx');
  if (html.includes('name="password"')) {
    if (step > 0 && html.includes('AADSTS')) {
      process.stderr.write(`form-browser: sign-in as ${user} refused: ${/AADSTS\d+/.exec(html)?.[0]}\n`);
      process.exit(1);
    }
    res = await request(new URL(target, origin), { tx, username: user, password });
  } else if (html.includes('value="accept"')) {
    res = await request(new URL(target, origin), { tx, decision: 'accept' });
  } else {
    process.stderr.write(`form-browser: step ${step}: a page this stand-in does not know\n`);
    process.exit(1);
  }
}
process.stderr.write('form-browser: too many steps\n');
process.exit(1);
