import { readFile } from 'node:fs/promises';
import { DirectoryConfigError } from '../errors/directory-config-error.js';
import { buildDirectory } from './build.js';
import { checkConfigLimits } from './limits.js';
import type { Directory } from './model.js';
import { sampleConfig } from './sample.js';
import type { ConfigInput, SettingsInput } from './schema.js';

export interface LoadedConfig {
  directory: Directory;
  settings: SettingsInput;
}

/**
 * Validates a config object (from a file or a programmatic caller) and builds the directory. The schema
 * library is loaded here, on demand, so that starting with the built-in sample does not pay for it.
 */
export async function loadConfig(raw: unknown, source = 'config'): Promise<LoadedConfig> {
  const { configInput, describeIssues } = await import('./schema.js');
  const parsed = configInput.safeParse(raw);
  if (!parsed.success) {
    throw new DirectoryConfigError([`${source} is invalid:`, ...describeIssues(parsed.error)]);
  }
  const config: ConfigInput = parsed.data;
  checkConfigLimits(config); // S93
  return { directory: buildDirectory(config), settings: config.settings ?? {} };
}

/** Reads a JSON config file; every problem reported as a DirectoryConfigError with the file name. */
export async function loadConfigFile(path: string): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DirectoryConfigError(
      `cannot read config file ${path}: ${code === 'ENOENT' ? 'no such file' : code}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new DirectoryConfigError(`config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  return loadConfig(json, `config file ${path}`);
}

/** The built-in sample: trusted code, checked against the schema by the test suite, not at every start. */
export function loadSample(): LoadedConfig {
  return { directory: buildDirectory(sampleConfig()), settings: {} };
}
