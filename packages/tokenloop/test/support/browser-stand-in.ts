// A stand-in for the system browser when the emulator signs users in by itself (`autoLogin`): follows the
// authorization redirects with plain fetch and delivers the response to the redirect URI, as a browser would.
// (The Chromium-driven path is covered by the CLI and web suites; here the subject is the library.)

export interface Delivered {
  /** Status and body of the page the app's redirect URI answered with. */
  status: number;
  body: string;
}

/** Follow redirects from `url` until one leaves the provider's origin; GET it (query) or POST it (form_post). */
export async function deliverAuthorization(url: URL | string): Promise<Delivered> {
  const start = new URL(url);
  let next: URL = start;
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(next, { redirect: 'manual' });
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      next = new URL(location, next);
      if (next.origin !== start.origin) {
        const done = await fetch(next, { redirect: 'manual' });
        return { status: done.status, body: await done.text() };
      }
      continue;
    }
    const html = await res.text();
    const form = /<form[^>]*method="post"[^>]*action="([^"]+)"/i.exec(html);
    if (form) {
      const inputs = [...html.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/gi)];
      const body = new URLSearchParams(inputs.map((m) => [m[1]!, decodeEntities(m[2]!)]));
      const done = await fetch(decodeEntities(form[1]!), { method: 'POST', body, redirect: 'manual' });
      return { status: done.status, body: await done.text() };
    }
    throw new Error(`authorization stopped at HTTP ${res.status} without a redirect`);
  }
  throw new Error('too many redirects');
}

/** The parameters the provider would deliver to the redirect URI (query or form_post), without delivering them. */
export async function authorizationResponse(url: URL | string): Promise<URLSearchParams> {
  const start = new URL(url);
  let next: URL = start;
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(next, { redirect: 'manual' });
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      next = new URL(location, next);
      if (next.origin !== start.origin)
        return next.hash ? new URLSearchParams(next.hash.slice(1)) : next.searchParams;
      continue;
    }
    const html = await res.text();
    const inputs = [...html.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/gi)];
    if (inputs.length) return new URLSearchParams(inputs.map((m) => [m[1]!, decodeEntities(m[2]!)]));
    throw new Error(`authorization stopped at HTTP ${res.status} without a response`);
  }
  throw new Error('too many redirects');
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
