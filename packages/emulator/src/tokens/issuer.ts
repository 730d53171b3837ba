/** v2.0 issuer for a tenant: `{base}/{tid}/v2.0`. */
export function v2Issuer(base: string, tenantId: string): string {
  return `${base}/${tenantId}/v2.0`;
}

/** v1.0 access-token issuer (sts.windows.net on Entra; the emulator's own origin here): `{base}/{tid}/`. */
export function v1Issuer(base: string, tenantId: string): string {
  return `${base}/${tenantId}/`;
}
