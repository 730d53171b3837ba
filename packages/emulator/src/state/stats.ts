const GRANT_NAMES: Record<string, string> = {
  authorization_code: 'authorization_code',
  refresh_token: 'refresh_token',
  client_credentials: 'client_credentials',
  device_code: 'device_code',
  password: 'password',
  'urn:ietf:params:oauth:grant-type:device_code': 'device_code',
  'urn:ietf:params:oauth:grant-type:jwt-bearer': 'jwt-bearer',
  // Token requests to the managed identity endpoints (IMDS, App Service), by the identity's client id.
  managed_identity: 'managed_identity',
};

/** What `/_emulator/stats` and `stats()` answer. */
export interface StatsJson {
  token_requests: Record<string, Record<string, number>>;
  cors_preflights: number;
  claims_requests: { cp1: number; nbf: number };
}

/**
 * Token-endpoint request counts by grant type and client id, so tests anywhere can assert "exactly one
 * refresh". Unknown grant types and client ids are counted under `other` / `unknown` to keep memory bounded.
 */
export class Stats {
  private counts = new Map<string, Map<string, number>>();
  /** CORS preflights (`OPTIONS`) received: a browser page sends one before any request it may not make plainly. */
  private preflights = 0;
  /**
   * Token requests whose `claims` declared client capability cp1, and those answering a claims challenge (an
   * essential `nbf`): a test sees a client take part in continuous access evaluation (S140, S143).
   */
  private claims = { cp1: 0, nbf: 0 };

  countClaimsRequest(request: { capabilities: string[]; notBefore?: number }): void {
    if (request.capabilities.includes('cp1')) this.claims.cp1++;
    if (request.notBefore !== undefined) this.claims.nbf++;
  }

  countPreflight(): void {
    this.preflights++;
  }

  countTokenRequest(grantType: string | undefined, clientId: string | undefined, knownClient: boolean): void {
    const grant = (grantType && GRANT_NAMES[grantType]) ?? 'other';
    const client = clientId && knownClient ? clientId : 'unknown';
    let byClient = this.counts.get(grant);
    if (!byClient) {
      byClient = new Map();
      this.counts.set(grant, byClient);
    }
    byClient.set(client, (byClient.get(client) ?? 0) + 1);
  }

  toJSON(): StatsJson {
    const token_requests: Record<string, Record<string, number>> = {};
    for (const [grant, byClient] of this.counts) token_requests[grant] = Object.fromEntries(byClient);
    return { token_requests, cors_preflights: this.preflights, claims_requests: { ...this.claims } };
  }

  reset(): void {
    this.counts.clear();
    this.preflights = 0;
    this.claims = { cp1: 0, nbf: 0 };
  }
}
