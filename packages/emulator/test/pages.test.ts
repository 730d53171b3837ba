import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  accountPickerPage,
  adminPage,
  allowFormRedirect,
  consentPage,
  deviceCodeDonePage,
  deviceCodeEntryPage,
  deviceConfirmPage,
  errorPage,
  escapeHtml,
  formPostPage,
  loginPage,
  type RenderedPage,
  signedOutPage,
  signOutPage,
} from '../src/pages/index.ts';

const EVIL = `<script>alert("x")</script>'`;

function hash(text: string): string {
  return `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
}

function directive(csp: string, name: string): string[] {
  const found = csp
    .split(';')
    .map((d) => d.trim().split(/\s+/))
    .find((parts) => parts[0] === name);
  assert.ok(found, `CSP has ${name}: ${csp}`);
  return found.slice(1);
}

/** Every tag of a kind, with its attributes parsed (values still HTML-escaped). */
function tags(html: string, name: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const m of html.matchAll(new RegExp(`<${name}\\b([^>]*)>`, 'gi'))) {
    const attrs: Record<string, string> = {};
    for (const a of (m[1] ?? '').matchAll(/([\w-]+)(?:="([^"]*)")?/g)) attrs[a[1] ?? ''] = a[2] ?? '';
    out.push(attrs);
  }
  return out;
}

function fieldNames(html: string): string[] {
  return [...tags(html, 'input'), ...tags(html, 'button')]
    .map((t) => t['name'])
    .filter((n) => n !== undefined);
}

/** Checks the structure every page shares: shell, landmarks, labels, CSP hashes, no inline handlers. */
function assertWellFormed(page: RenderedPage): void {
  const { html, csp } = page;
  assert.match(html, /^<!doctype html>\n<html lang="en">/);
  assert.match(html, /<meta charset="utf-8">/);
  assert.match(html, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
  assert.equal(html.match(/<main\b/g)?.length, 1);
  assert.equal(html.match(/<h1\b/g)?.length, 1);
  assert.match(html, /tokenloop emulator/);
  assert.doesNotMatch(html, /\sstyle=/);
  assert.doesNotMatch(html, /\son[a-z]+=/);
  assert.doesNotMatch(html, /<(link|img|iframe)\b/);
  assert.doesNotMatch(html, /\ssrc=/);

  const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1] ?? '');
  assert.equal(styles.length, 1);
  assert.deepEqual(directive(csp, 'style-src'), [hash(styles[0] ?? '')]);
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');
  if (scripts.length === 0) assert.ok(!csp.includes('script-src'));
  else assert.deepEqual(directive(csp, 'script-src'), scripts.map(hash));
  assert.deepEqual(directive(csp, 'default-src'), ["'none'"]);
  assert.deepEqual(directive(csp, 'frame-ancestors'), ["'none'"]);
  assert.deepEqual(directive(csp, 'base-uri'), ["'none'"]);

  const labelled = new Set(tags(html, 'label').map((l) => l['for']));
  for (const input of tags(html, 'input')) {
    if (input['type'] === 'hidden') continue;
    assert.ok(input['id'], `input ${input['name']} has an id`);
    assert.ok(labelled.has(input['id']), `input #${input['id']} has a <label for>`);
  }
  for (const form of tags(html, 'form')) assert.equal(form['method'], 'post');
}

describe('escapeHtml', () => {
  it('escapes the five HTML special characters', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    assert.equal(escapeHtml(42), '42');
  });
});

describe('loginPage', () => {
  it('has tx, username and password fields and a Sign in button', () => {
    const page = loginPage({ action: '/login', tx: 't1', appName: 'App', tenantName: 'Contoso' });
    assertWellFormed(page);
    assert.deepEqual(fieldNames(page.html), ['tx', 'username', 'password']);
    const [, username, password] = tags(page.html, 'input');
    assert.equal(username?.['autocomplete'], 'username');
    assert.ok(username && 'autofocus' in username);
    assert.equal(password?.['type'], 'password');
    assert.equal(password?.['autocomplete'], 'current-password');
    assert.match(page.html, /<button type="submit" class="btn btn-primary">Sign in<\/button>/);
    assert.doesNotMatch(page.html, /role="alert"/);
    assert.deepEqual(directive(page.csp, 'form-action'), ["'self'"]);
  });

  it('prefills the hint, shows the error as an alert tied to the inputs and escapes everything', () => {
    const page = loginPage({
      action: `/login?x="${EVIL}`,
      tx: EVIL,
      appName: EVIL,
      tenantName: EVIL,
      loginHint: EVIL,
      error: EVIL,
    });
    assertWellFormed(page);
    assert.doesNotMatch(page.html, /<script>alert/);
    assert.ok(!page.html.includes(EVIL));
    assert.match(page.html, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;&#39;/);
    assert.match(page.html, /<p id="login-error" class="error" role="alert">/);
    const [tx, username, password] = tags(page.html, 'input');
    assert.equal(tx?.['value'], escapeHtml(EVIL));
    assert.equal(username?.['value'], escapeHtml(EVIL));
    assert.equal(username?.['aria-describedby'], 'login-error');
    assert.equal(password?.['aria-describedby'], 'login-error');
    assert.ok(password && 'autofocus' in password && !('autofocus' in (username ?? {})));
  });
});

describe('consentPage', () => {
  it('lists permissions, names user and app, and posts a decision', () => {
    const page = consentPage({
      action: '/consent',
      tx: 't1',
      appName: 'Todo <App>',
      publisher: 'Contoso',
      username: 'ada@contoso.com',
      permissions: [{ scope: 'User.Read', description: 'Sign you in & read your profile' }],
    });
    assertWellFormed(page);
    assert.deepEqual(fieldNames(page.html), ['tx', 'decision', 'decision']);
    assert.match(page.html, /<button type="submit" name="decision" value="accept"[^>]*>Accept<\/button>/);
    assert.match(page.html, /<button type="submit" name="decision" value="cancel"[^>]*>Cancel<\/button>/);
    assert.match(page.html, /ada@contoso\.com/);
    assert.match(page.html, /Todo &lt;App&gt;/);
    assert.match(page.html, /<code class="perm-scope">User\.Read<\/code>/);
    assert.match(page.html, /Sign you in &amp; read your profile/);
  });
});

describe('accountPickerPage', () => {
  it('has one button per account plus "Use another account"', () => {
    const page = accountPickerPage({
      action: '/select',
      tx: 't1',
      appName: 'App',
      accounts: [
        { username: 'ada@contoso.com', displayName: 'Ada' },
        { username: `"><x`, displayName: EVIL },
      ],
    });
    assertWellFormed(page);
    assert.deepEqual(fieldNames(page.html), ['tx', 'account', 'account', 'account']);
    assert.deepEqual(
      tags(page.html, 'button').map((b) => b['value']),
      ['ada@contoso.com', '&quot;&gt;&lt;x', ''],
    );
    assert.match(page.html, /value="">.*Use another account/);
    assert.ok(!page.html.includes(EVIL));
  });
});

describe('device code pages', () => {
  it('entry page posts its token and user_code', () => {
    const page = deviceCodeEntryPage({
      action: '/_ui/device-code',
      tx: 'page-1',
      userCode: 'ABCD-EFGH',
      error: 'Bad code',
    });
    assertWellFormed(page);
    assert.deepEqual(fieldNames(page.html), ['tx', 'user_code']);
    const [tx, input] = tags(page.html, 'input');
    assert.equal(tx?.['type'], 'hidden');
    assert.equal(tx?.['value'], 'page-1');
    assert.equal(input?.['value'], 'ABCD-EFGH');
    assert.equal(input?.['autocapitalize'], 'characters');
    assert.equal(input?.['autocomplete'], 'off');
    assert.equal(input?.['aria-describedby'], 'code-error');
    assert.match(page.html, /<label for="user_code">Code<\/label>/);
    assert.match(page.html, /role="alert">Bad code</);
    assert.match(page.html, />Next<\/button>/);
  });

  it('S86 the confirmation page names the app, the account and the code, and posts continue or cancel', () => {
    const page = deviceConfirmPage({
      action: '/_ui/device-confirm',
      tx: 't1',
      appName: 'CLI <tool>',
      publisher: 'Contoso',
      username: 'ada@contoso.com',
      userCode: 'BCDFGHJKL',
    });
    assertWellFormed(page);
    assert.match(page.html, /<h1>Are you trying to sign in to CLI &lt;tool&gt;\?<\/h1>/);
    assert.match(page.html, /ada@contoso\.com/);
    assert.match(page.html, /<code>BCDFGHJKL<\/code>/);
    assert.deepEqual(fieldNames(page.html), ['tx', 'decision', 'decision']);
    assert.match(page.html, /name="decision" value="cancel"[^>]*>Cancel</);
    assert.match(page.html, /name="decision" value="continue"[^>]*>Continue</);
  });

  it('done page says signed in or declined', () => {
    const yes = deviceCodeDonePage({ appName: 'CLI <tool>', approved: true });
    assertWellFormed(yes);
    assert.match(
      yes.html,
      /You have signed in to CLI &lt;tool&gt; on your device\. You may now close this window\./,
    );
    const no = deviceCodeDonePage({ appName: 'CLI', approved: false });
    assertWellFormed(no);
    assert.match(no.html, /You declined to sign in to CLI on your device\. You may now close this window\./);
  });
});

describe('signedOutPage', () => {
  it('links back only to safe URLs', () => {
    const page = signedOutPage({ appName: 'App', postLogoutRedirectUri: 'https://app.example/?a=1&b="2"' });
    assertWellFormed(page);
    assert.match(page.html, /<a href="https:\/\/app\.example\/\?a=1&amp;b=&quot;2&quot;">Return to App<\/a>/);
    const unsafe = signedOutPage({ postLogoutRedirectUri: 'javascript:alert(1)' });
    assertWellFormed(unsafe);
    assert.doesNotMatch(unsafe.html, /<a /);
  });

  it('S85 the sign-out confirmation names the accounts and posts only its token', () => {
    const page = signOutPage({
      action: '/_ui/sign-out',
      tx: 'so-1',
      usernames: ['ada@x', EVIL],
      appName: 'App',
    });
    assertWellFormed(page);
    assert.match(page.html, /<h1>Sign out<\/h1>/);
    assert.match(page.html, /App asks to sign you out of this browser/);
    assert.match(page.html, /<li>ada@x<\/li>/);
    assert.ok(!page.html.includes(EVIL));
    assert.deepEqual(fieldNames(page.html), ['tx']);
  });
});

describe('errorPage', () => {
  it('shows the AADSTS message and troubleshooting details', () => {
    const page = errorPage({
      aadsts: 50011,
      error: 'invalid_request',
      message: `The redirect URI '<x>' does not match`,
      traceId: 'trace-1',
      correlationId: 'corr-1',
      timestamp: '2024-01-01 00:00:00Z',
    });
    assertWellFormed(page);
    assert.match(page.html, /<h1>Sorry, but we're having trouble signing you in\.<\/h1>/);
    assert.match(page.html, /AADSTS50011: The redirect URI &#39;&lt;x&gt;&#39; does not match/);
    for (const s of ['invalid_request', 'Request Id', 'trace-1', 'Correlation ID', 'corr-1', 'Timestamp']) {
      assert.ok(page.html.includes(s), s);
    }
  });
});

describe('formPostPage', () => {
  const page = formPostPage({
    action: 'https://app.example:8443/cb?x=1',
    fields: { code: 'abc', state: `"><script>alert(1)</script>`, submit: 'shadow' },
  });

  it('posts every field as a hidden input to the action and auto-submits', () => {
    assertWellFormed(page);
    const [form] = tags(page.html, 'form');
    assert.equal(form?.['action'], 'https://app.example:8443/cb?x=1');
    const hidden = tags(page.html, 'input').filter((i) => i['type'] === 'hidden');
    assert.deepEqual(
      hidden.map((i) => [i['name'], i['value']]),
      [
        ['code', 'abc'],
        ['state', '&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;'],
        ['submit', 'shadow'],
      ],
    );
    assert.equal(page.html.match(/<script>/g)?.length, 1);
    assert.match(page.html, /<noscript>[\s\S]*>Continue<\/button>[\s\S]*<\/noscript>/);
  });

  it('allows the target origin in form-action and the script by hash', () => {
    assert.deepEqual(directive(page.csp, 'form-action'), ['https://app.example:8443']);
    assert.equal(directive(page.csp, 'script-src').length, 1);
  });

  it('uses the scheme for custom-scheme redirect URIs', () => {
    const native = formPostPage({ action: 'msauth.com.example://auth', fields: {} });
    assertWellFormed(native);
    assert.deepEqual(directive(native.csp, 'form-action'), ['msauth.com.example:']);
  });
});

describe('allowFormRedirect', () => {
  it("adds the redirect URI's origin to form-action once", () => {
    const page = loginPage({ action: '/login', tx: 't', appName: 'A', tenantName: 'T' });
    const widened = allowFormRedirect(
      allowFormRedirect(page, 'http://localhost:3000/cb'),
      'http://localhost:3000/x',
    );
    assert.deepEqual(directive(widened.csp, 'form-action'), ["'self'", 'http://localhost:3000']);
    assert.equal(widened.html, page.html);
    assert.equal(allowFormRedirect(page, 'javascript:alert(1)').csp, page.csp);
  });
});

describe('adminPage', () => {
  it('renders accessible tables and escapes data', () => {
    const page = adminPage({
      url: 'https://localhost:8443',
      tenants: [{ id: 'tid', domain: 'contoso.example', name: EVIL }],
      apps: [
        { clientId: 'cid', name: 'App', type: 'spa', tenantId: 'tid', redirectUris: ['http://localhost/cb'] },
      ],
      users: [{ username: 'ada@contoso.example', displayName: 'Ada', tenantId: 'tid', scenarios: ['mfa'] }],
      sessions: [],
      tokens: [{ kind: 'access_token', clientId: 'cid', subject: 'sub', expiresAt: 'soon', preview: 'eyJ…' }],
      stats: { refresh_token: { cid: 2 } },
    });
    assertWellFormed(page);
    assert.equal(page.html.match(/<table>/g)?.length, 6);
    assert.equal(page.html.match(/<caption\b/g)?.length, 6);
    assert.doesNotMatch(page.html, /<th>/);
    assert.match(page.html, /<th scope="col">Grant type<\/th>/);
    assert.match(page.html, /<td>refresh_token<\/td><td>cid<\/td><td>2<\/td>/);
    assert.match(page.html, /\/_emulator\/api\//);
    assert.ok(!page.html.includes(EVIL));
  });
});
