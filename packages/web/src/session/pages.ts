import { escapeHtml } from 'tokenloop';
import type { WebResponse } from './web-http.js';

/** The pages the core answers with: no scripts, no external assets, never framed, never cached. */

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b}' +
  'button{font:inherit;padding:.5rem 1rem;margin:0 .5rem .5rem 0;cursor:pointer}';

function html(
  status: number,
  title: string,
  content: string,
  csp: string,
  headers: Record<string, string | string[]>,
): WebResponse {
  return {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'content-security-policy': csp,
      ...headers,
    },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><h1>${escapeHtml(title)}</h1>${content}</body></html>`,
  };
}

const BASE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'";

/** A short message page (failed or expired sign-in). */
export function page(
  status: number,
  title: string,
  text: string,
  headers: Record<string, string | string[]> = {},
): WebResponse {
  return html(
    status,
    title,
    `<p>${escapeHtml(text)}</p><p><a href="/">Back</a></p>`,
    `${BASE_CSP}; form-action 'none'`,
    headers,
  );
}

export function redirect(
  location: string,
  headers: Record<string, string | string[]> = {},
  status = 302,
): WebResponse {
  return {
    status,
    headers: { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', ...headers },
  };
}

/**
 * S65: the page a GET of the sign-out route shows, and a refused POST too: a form that POSTs back to the route,
 * with a second button for "sign out everywhere" (S66). Its referrer policy is `same-origin`, so the browser
 * sends `Origin` with the POST (under `no-referrer` it would send `Origin: null`). `form-action` allows the app
 * and the provider's origins, where the POST is redirected for the provider's sign-out.
 */
export function signOutPage(o: {
  status: number;
  action: string;
  username: string | undefined;
  endSessionOrigins: string[];
  refused: boolean;
}): WebResponse {
  const who = o.username ? ` You are signed in as <strong>${escapeHtml(o.username)}</strong>.` : '';
  const why = o.refused
    ? '<p>That sign-out request did not come from this site, so nothing was changed.</p>'
    : '';
  const content =
    `${why}<p>Sign out of this site?${who}</p>` +
    `<form method="post" action="${escapeHtml(o.action)}">` +
    '<button type="submit">Sign out</button>' +
    '<button name="everywhere" value="1" type="submit">Sign out everywhere</button>' +
    '</form><p>“Sign out everywhere” also ends your sessions in other browsers and devices.</p>' +
    '<p><a href="/">Stay signed in</a></p>';
  const formAction = ["'self'", ...o.endSessionOrigins].join(' ');
  return html(o.status, 'Sign out', content, `${BASE_CSP}; form-action ${formAction}`, {
    'referrer-policy': 'same-origin',
  });
}
