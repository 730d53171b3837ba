/**
 * `--scope` as people type it (repeatable; several in one value, separated by spaces or commas): the scopes so
 * far plus this value's. The one rule for the command-line parser and the `token` fast path.
 */
export function addScopes(value: string, previous: string[] = []): string[] {
  return previous.concat(value.split(/[ ,]+/).filter(Boolean));
}
