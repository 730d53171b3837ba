import { TokenloopError } from '../errors/errors.js';
import type { TokenClientOptions } from '../model/client-options.js';
import { checkAllowedTenants } from '../authority/allowed-tenants.js';
import { clockToleranceSeconds } from '../validation/clock-tolerance.js';

/** Check options once, when the client is created (mistakes fail before the first request). */
export function checkClientOptions(o: TokenClientOptions): void {
  if (typeof o !== 'object' || o === null)
    throw new TokenloopError('INVALID_ARGUMENT', 'createTokenClient needs an options object');
  if (typeof o.clientId !== 'string' || o.clientId.trim() === '') {
    throw new TokenloopError(
      'CONFIGURATION',
      'clientId is required (the application id of your app registration)',
    );
  }
  if (o.clientSecret !== undefined && (typeof o.clientSecret !== 'string' || o.clientSecret === '')) {
    throw new TokenloopError('CONFIGURATION', 'clientSecret must be a non-empty string');
  }
  if (o.clientSecret !== undefined && o.clientCertificate !== undefined) {
    throw new TokenloopError('CONFIGURATION', 'give either clientSecret or clientCertificate, not both');
  }
  if (
    o.clientCertificate &&
    (!o.clientCertificate.privateKey || typeof o.clientCertificate.certificate !== 'string')
  ) {
    throw new TokenloopError('CONFIGURATION', 'clientCertificate needs privateKey and certificate (PEM)');
  }
  if (
    o.refreshAheadSeconds !== undefined &&
    !(Number.isFinite(o.refreshAheadSeconds) && o.refreshAheadSeconds >= 0)
  ) {
    throw new TokenloopError('CONFIGURATION', 'refreshAheadSeconds must be a number ≥ 0');
  }
  // S215, S216: the rules @tokenloop/web applies to the same options (allowed-tenants.ts, clock-tolerance.ts).
  clockToleranceSeconds(o.clockToleranceSeconds);
  checkAllowedTenants(o.allowedTenants);
  if (
    o.clientCapabilities !== undefined &&
    !(
      Array.isArray(o.clientCapabilities) &&
      o.clientCapabilities.length <= 10 &&
      o.clientCapabilities.every((c) => typeof c === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(c))
    )
  ) {
    throw new TokenloopError(
      'CONFIGURATION',
      "clientCapabilities must be a list of up to 10 capability names such as 'cp1'",
    );
  }
}
