/**
 * What a browser does with the emulator's per-transaction cookies (`tokenloop_tx_<id>`, `Path=/_ui`): keeps
 * those responses set, forgets cleared ones, and sends them back with the sign-in page posts. The page posts
 * are refused without them (login CSRF / transaction hijack protection).
 */

const TX_COOKIE = /^(tokenloop_tx_[^=;]+)=([^;]*)/;

export interface TxCookieJar {
  /** Takes the Set-Cookie headers of a response. */
  remember(setCookies: readonly string[]): void;
  /** The Cookie header for a page post (`/_ui/…`), or undefined when the jar is empty. */
  header(): string | undefined;
}

export function txCookieJar(): TxCookieJar {
  const jar = new Map<string, string>();
  return {
    remember(setCookies) {
      for (const line of setCookies) {
        const m = TX_COOKIE.exec(line);
        if (!m) continue;
        if (m[2] === '' || /;\s*max-age=0\b/i.test(line)) jar.delete(m[1]!);
        else jar.set(m[1]!, m[2]!);
      }
    },
    header() {
      return jar.size ? [...jar].map(([k, v]) => `${k}=${v}`).join('; ') : undefined;
    },
  };
}

/** The Cookie header carrying the transaction cookies one response set (for a test's next page post). */
export function txCookies(res: Response): string {
  const jar = txCookieJar();
  jar.remember(res.headers.getSetCookie());
  const header = jar.header();
  if (!header) throw new Error('the response set no transaction cookie');
  return header;
}
