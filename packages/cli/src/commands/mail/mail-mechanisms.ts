/** The SASL mechanisms `mail test --mechanism` takes, as typed (lower case). */
export const MAIL_MECHANISMS = ['xoauth2', 'oauthbearer'] as const;

/** A SASL mechanism's name as the server advertises it. */
export type SaslMechanism = Uppercase<(typeof MAIL_MECHANISMS)[number]>;

/** `--mechanism`'s value (any case; xoauth2 when absent) as the server names it, or undefined if not one. */
export function saslMechanism(name: string | undefined): SaslMechanism | undefined {
  const upper = (name ?? 'xoauth2').toUpperCase();
  return MAIL_MECHANISMS.map((m) => m.toUpperCase() as SaslMechanism).find((m) => m === upper);
}
