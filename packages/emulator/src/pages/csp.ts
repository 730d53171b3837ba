import { createHash } from 'node:crypto';

/** A CSP hash source (`'sha256-…'`) for the exact text of an inline `<style>` or `<script>` element. */
export function sha256Source(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** Schemes a page must never submit a form or link to, whatever the caller passed. */
const UNSAFE_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'blob:', 'file:', 'about:']);

/**
 * The CSP source that allows navigating to `url`: its origin for http(s) URLs, its scheme (`myapp:`) for a
 * custom-scheme URL of a native app, and `undefined` for unparseable or unsafe URLs.
 */
export function sourceFor(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (UNSAFE_SCHEMES.has(parsed.protocol)) return undefined;
  if (parsed.origin !== 'null') return parsed.origin;
  return parsed.protocol;
}

/** Whether `url` is an absolute URL that is safe to use as a link or form target. */
export function isSafeTarget(url: string): boolean {
  return sourceFor(url) !== undefined;
}

export interface CspOptions {
  /** CSP hash source of the page's one `<style>` element. */
  styleHash: string;
  /** CSP hash sources of the page's inline scripts; no `script-src` directive at all when empty. */
  scriptHashes?: string[];
  /** Sources for `form-action`; defaults to `'self'`. */
  formAction?: string[];
}

/** Builds the Content-Security-Policy header value of a page. */
export function buildCsp(o: CspOptions): string {
  const directives = ["default-src 'none'"];
  if (o.scriptHashes && o.scriptHashes.length > 0) directives.push(`script-src ${o.scriptHashes.join(' ')}`);
  directives.push(`style-src ${o.styleHash}`);
  const formAction = o.formAction && o.formAction.length > 0 ? o.formAction : ["'self'"];
  directives.push(`form-action ${formAction.join(' ')}`);
  directives.push("frame-ancestors 'none'", "base-uri 'none'");
  return directives.join('; ');
}

/**
 * Returns `page` with `target`'s origin (or custom scheme) added to its `form-action` directive.
 *
 * Chrome and Safari check `form-action` against every redirect that follows a form submission, so a page
 * whose POST is answered with a 302 to the client's redirect URI (login, consent, account picker) must allow
 * that redirect URI's origin, or the browser stops at the emulator. Unsafe or unparseable targets are ignored.
 */
export function allowFormRedirect<P extends { csp: string }>(page: P, target: string): P {
  const source = sourceFor(target);
  if (!source) return page;
  const csp = page.csp
    .split('; ')
    .map((d) => (d.startsWith('form-action ') && !d.split(' ').includes(source) ? `${d} ${source}` : d))
    .join('; ');
  return { ...page, csp };
}
