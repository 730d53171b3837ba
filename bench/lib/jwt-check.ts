import { createPublicKey, verify } from 'node:crypto';

export interface CheckedJwt {
  status: number;
  alg: string;
  typ: string;
  modulusLength: number;
}

/**
 * One token request before the load: it must answer 200 with an access token that is a JWT signed RS256 by
 * a 2048-bit RSA key published in the server's JWKS (signature verified here), or this throws.
 */
export async function checkedJwt(tokenUrl: string, body: string, jwksUrl: string): Promise<CheckedJwt> {
  const res = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  const json = (await res.json()) as { access_token?: string };
  const parts = json.access_token?.split('.') ?? [];
  if (res.status !== 200 || parts.length !== 3)
    throw new Error(
      `${tokenUrl}: expected 200 with a JWT access token, got ${res.status} ${JSON.stringify(json)}`,
    );
  const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString()) as Record<string, string>;
  const jwks = (await (await fetch(jwksUrl)).json()) as {
    keys: ({ kid?: string } & Record<string, unknown>)[];
  };
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  if (header.alg !== 'RS256' || !jwk)
    throw new Error(`${tokenUrl}: not RS256 or key ${header.kid} not in ${jwksUrl}`);
  const key = createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e } as never, format: 'jwk' });
  const ok = verify(
    'sha256',
    Buffer.from(`${parts[0]}.${parts[1]}`),
    key,
    Buffer.from(parts[2]!, 'base64url'),
  );
  const modulusLength = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (!ok || modulusLength !== 2048)
    throw new Error(`${tokenUrl}: signature ${ok ? 'valid' : 'INVALID'}, key ${modulusLength} bits`);
  return { status: res.status, alg: header.alg, typ: header.typ ?? '', modulusLength };
}
