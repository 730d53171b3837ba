// A stand-in for the system browser when the emulator signs users in by itself (`autoLogin`): follows the
// authorization redirects with plain fetch and delivers the response to the redirect URI, as a browser would.
// (The Chromium-driven path is covered by the CLI and web suites; here the subject is the library.)

export interface Delivered {
  /** Status and body of the page the app's redirect URI answered with. */
  status: number;
  body: string;
}

/** Where the provider sends the browser in the end: a redirect off its origin, or an auto-posting form. */
type Outcome = { kind: 'redirect'; target: URL } | { kind: 'form'; action: string; params: URLSearchParams };

async function follow(url: URL | string): Promise<Outcome> {
  const start = new URL(url);
  let next: URL = start;
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(next, { redirect: 'manual' });
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      next = new URL(location, next);
      if (next.origin !== start.origin) return { kind: 'redirect', target: next };
      continue;
    }
    const html = await res.text();
    const form = /<form[^>]*method="post"[^>]*action="([^"]+)"/i.exec(html);
    const inputs = [...html.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/gi)];
    if (form && inputs.length) {
      return {
        kind: 'form',
        action: decodeEntities(form[1]!),
        params: new URLSearchParams(inputs.map((m) => [m[1]!, decodeEntities(m[2]!)])),
      };
    }
    throw new Error(`authorization stopped at HTTP ${res.status} without a redirect`);
  }
  throw new Error('too many redirects');
}

/** Follow the authorization and deliver its response to the redirect URI (GET for query, POST for form_post). */
export async function deliverAuthorization(url: URL | string): Promise<Delivered> {
  const outcome = await follow(url);
  const done =
    outcome.kind === 'redirect'
      ? await fetch(outcome.target, { redirect: 'manual' })
      : await fetch(outcome.action, { method: 'POST', body: outcome.params, redirect: 'manual' });
  return { status: done.status, body: await done.text() };
}

/** The parameters the provider would deliver to the redirect URI (query, fragment or form_post), undelivered. */
export async function authorizationResponse(url: URL | string): Promise<URLSearchParams> {
  const outcome = await follow(url);
  if (outcome.kind === 'form') return outcome.params;
  return outcome.target.hash
    ? new URLSearchParams(outcome.target.hash.slice(1))
    : outcome.target.searchParams;
}

function decodeEntities(s: string): string {
  return s.replace(/&(#\d+|#x[0-9a-f]+|amp|lt|gt|quot|apos);/gi, (m, e: string) => {
    if (e[0] === '#')
      return String.fromCodePoint(
        e[1]?.toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10),
      );
    return (
      ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[e.toLowerCase()] ?? m
    );
  });
}
