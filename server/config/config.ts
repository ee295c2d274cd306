/**
 * Configuration: the environment (secrets, endpoints, schedules; env.ts) plus the optional
 * JSON config file (the Jira field mapping; file.ts). Parsed once, with every default in
 * those two files. A wrong value throws a ConfigError whose message is one line: the key,
 * what is wrong with the value, and the fix. `redactConfig` (redact.ts) is the only way
 * config is ever printed. Importers use this module; the others are its parts.
 */
import { resolve } from 'node:path';
import { nonEmpty, readEnvironment, type Env } from './env.js';
import { DEFAULT_CONFIG_FILE, readConfigFile } from './file.js';
import type { Config } from './types.js';

export { AUTH_MODES, ConfigError, type AuthMode, type Config } from './types.js';
export { isLoopbackHost } from './env.js';
export {
  DEFAULT_CONFIG_FILE,
  DEFAULT_DETECTION_MAP,
  DEFAULT_FIELDS,
  DEFAULT_SEVERITY_MAP,
  DEFAULT_SLA_DAYS,
  parseConfigFileObject,
  type ConfigFile,
  type FieldKey,
  type FieldMapping,
  type JiraMappingConfig,
} from './file.js';
export { redactConfig } from './redact.js';

export function loadConfig(env: Env = process.env): Config {
  const settings = readEnvironment(env);
  const explicitFile = nonEmpty(env, 'CONFIG_FILE');
  const configFile = resolve(explicitFile ?? DEFAULT_CONFIG_FILE);
  return { ...settings, configFile, ...readConfigFile(configFile, explicitFile !== undefined) };
}
