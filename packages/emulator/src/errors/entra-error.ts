import { randomUUID } from 'node:crypto';
import { AADSTS, type AadstsCode, fillTemplate } from './aadsts.js';
import { EmulatorError } from './emulator-error.js';

/** A protocol failure the emulator reports in Entra's shape. Thrown by handlers, rendered in one place. */
export class EntraError extends EmulatorError {
  override name = 'EntraError';
  readonly error: string;
  readonly status: number;
  readonly suberror: string | undefined;
  readonly traceId = randomUUID();
  readonly correlationId: string;
  readonly timestamp = new Date();
  /** Extra headers such as Retry-After. */
  readonly headers: Record<string, string> = {};

  constructor(
    readonly code: AadstsCode,
    values: Record<string, string | undefined> = {},
    opts: { correlationId?: string; status?: number; error?: string } = {},
  ) {
    const entry = AADSTS[code] as { error: string; status: number; message: string; suberror?: string };
    super(fillTemplate(entry.message, values));
    this.error = opts.error ?? entry.error;
    this.status = opts.status ?? entry.status;
    this.suberror = entry.suberror;
    this.correlationId = opts.correlationId ?? randomUUID();
  }

  /** `YYYY-MM-DD HH:MM:SSZ` as Entra prints it. */
  get timestampText(): string {
    return this.timestamp
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, 'Z');
  }

  /** `AADSTSnnnnn: message` plus the trace lines Entra appends. */
  get description(): string {
    return (
      `AADSTS${this.code}: ${this.message}\r\nTrace ID: ${this.traceId}\r\n` +
      `Correlation ID: ${this.correlationId}\r\nTimestamp: ${this.timestampText}`
    );
  }

  /** The JSON body of a token/devicecode error response. */
  toBody(): Record<string, unknown> {
    const body: Record<string, unknown> = {
      error: this.error,
      error_description: this.description,
      error_codes: [this.code],
      timestamp: this.timestampText,
      trace_id: this.traceId,
      correlation_id: this.correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${this.code}`,
    };
    if (this.suberror) body.suberror = this.suberror;
    return body;
  }
}

/** Errors that must be shown on an error page instead of redirecting to an untrusted redirect URI. */
export class UntrustedRedirectError extends EntraError {
  override name = 'UntrustedRedirectError';
}
