import { InvalidArgumentError } from 'commander';

/** A whole-number option value from `min` to `max`, else a usage error that names the option. */
export function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number.`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`${name} must be from ${min} to ${max}.`);
    return n;
  };
}

/** A repeatable option: each value added to the ones before it. */
export function collectOne(value: string, previous: string[] = []): string[] {
  return previous.concat(value);
}
