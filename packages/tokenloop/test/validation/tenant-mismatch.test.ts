// S206: an Entra authority naming tenant A refuses a token of tenant B by name (TenantMismatchError: the account's
// own tenant and the authority's), not as a bare issuer mismatch; a token of A, and multi-tenant authorities, are
// unaffected.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { TenantMismatchError, TokenloopError } from '../../src/errors/errors.ts';
import { resolveAuthority } from '../../src/authority/authority.ts';
import { entraIssuerFor } from '../../src/authority/entra-issuer.ts';

const A = '11111111-2222-4333-8444-555555555555';
const B = '66666666-7777-4888-9999-000000000000';

function rule(authority: string, issuer: string) {
  const a = resolveAuthority({ authority });
  assert.equal(a.kind, 'entra');
  return entraIssuerFor(a as Extract<typeof a, { kind: 'entra' }>, issuer, undefined);
}

it('S206: a tenant-specific authority refuses a token of another tenant with TenantMismatchError', () => {
  for (const authority of [
    `https://login.microsoftonline.com/${A}`,
    'https://login.microsoftonline.com/contoso.com',
  ]) {
    const r = rule(authority, `https://login.microsoftonline.com/${A}/v2.0`);
    assert.equal(r.expected({ tid: A }), `https://login.microsoftonline.com/${A}/v2.0`);
    assert.equal(r.expected({ tid: A.toUpperCase() }), `https://login.microsoftonline.com/${A}/v2.0`);
    assert.throws(
      () => r.expected({ tid: B, iss: `https://login.microsoftonline.com/${B}/v2.0` }),
      (err: unknown) =>
        err instanceof TenantMismatchError &&
        err instanceof TokenloopError &&
        err.code === 'TOKEN_VALIDATION' &&
        err.tokenTenant === B &&
        err.authorityTenant === A &&
        err.message.includes(`tenant ${B}`) &&
        err.remediation !== undefined,
    );
  }
});

it('S206: organizations takes each account at its own tenant (no TenantMismatchError)', () => {
  const r = rule(
    'https://login.microsoftonline.com/organizations',
    'https://login.microsoftonline.com/{tenantid}/v2.0',
  );
  assert.equal(r.expected({ tid: B }), `https://login.microsoftonline.com/${B}/v2.0`);
});
