import { CliError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';

/**
 * `--resource`: an Entra resource is an absolute URI or an app id (GUID); anything else is refused before a
 * provider is asked (issue 14 (independent eyes), finding 7), with a command that works.
 */
export function resourceUri(value: string): string {
  if (/^[a-z][a-z0-9+.-]*:\S/i.test(value) && URL.canParse(value)) return value;
  if (/^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i.test(value)) return value;
  throw new CliError(
    `--resource must be a resource URI or app id, got ${JSON.stringify(value)}`,
    EXIT.usage,
    'e.g. Microsoft Graph: `tokenloop token --resource https://graph.microsoft.com`',
  );
}
