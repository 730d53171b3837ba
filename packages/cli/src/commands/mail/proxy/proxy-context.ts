import type { MailEndpoint } from '../mail-endpoint.js';
import type { LoginThrottle } from './login-throttle.js';
import type { TokenSource } from './upstream.js';
import type { UpstreamSlots } from './upstream-slots.js';

/** What one listener's sessions share. */
export interface ProxyContext {
  /** The real server this listener relays to. */
  upstream: MailEndpoint;
  checkPassword(user: string, password: string): Promise<boolean>;
  /** How fast local passwords may be tried: one for the whole proxy process (S77). */
  logins: LoginThrottle;
  tokens: TokenSource;
  /** S91: connections to the real servers being set up for logins, capped for the whole proxy. */
  slots: UpstreamSlots;
  /**
   * What this listener learned of its server at the last login: the SMTP extensions offered to mail programs at
   * EHLO (the proxy answers EHLO itself, S91).
   */
  learned: { smtpExtensions?: string[] };
  /** One line to the proxy's log; never message content, passwords or tokens. */
  log(session: string, text: string): void;
}

/** How long a mail program may stay silent before logging in. */
export const PRE_LOGIN_IDLE_MS = 5 * 60_000;
/** Wrong local passwords on one connection before it is closed (the throttle counts across connections). */
export const MAX_FAILED_LOGINS = 3;
