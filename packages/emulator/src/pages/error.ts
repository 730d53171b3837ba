import { escapeHtml } from './escape.js';
import { type RenderedPage, renderDocument } from './layout.js';

export interface ErrorPageData {
  /** AADSTS number, e.g. `50011`. */
  aadsts: number;
  /** OAuth error code string, e.g. `invalid_request`. */
  error: string;
  message: string;
  traceId: string;
  correlationId: string;
  timestamp: string;
}

/** The error page for requests that cannot be answered at the client's redirect URI. */
export function errorPage(d: ErrorPageData): RenderedPage {
  const rows: [string, string][] = [
    ['Error', d.error],
    ['Request Id (Trace ID)', d.traceId],
    ['Correlation ID', d.correlationId],
    ['Timestamp', d.timestamp],
  ];
  const main = [
    "<h1>Sorry, but we're having trouble signing you in.</h1>",
    `<p class="error">AADSTS${escapeHtml(d.aadsts)}: ${escapeHtml(d.message)}</p>`,
    '<section class="details" aria-labelledby="details-heading">',
    '<h2 id="details-heading">Troubleshooting details</h2>',
    '<dl>',
    ...rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd class="mono">${escapeHtml(v)}</dd>`),
    '</dl>',
    '</section>',
  ].join('\n');
  return renderDocument({ title: 'Sign-in error', main });
}
