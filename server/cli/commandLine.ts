/**
 * The one shape of the project's commands (jobs/*.ts, the sample Jira's CLI): arguments
 * read with node:util's parseArgs, `--help` printing the usage, a usage mistake (an unknown
 * option, a missing value) refused in one line with exit code 2, and `main` run only when
 * the file is the process's entry point, never on import.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { InputError } from '../errors.js';

/** A command line a person got wrong: the command prints the message and exits 2. */
export class UsageError extends InputError {}

export const USAGE_EXIT_CODE = 2;

type OptionSpec = { type: 'string' | 'boolean'; short?: string };

export interface CommandSpec<O extends Record<string, OptionSpec>> {
  options: O;
  /** Said after an unknown option, e.g. "the only option is --full". */
  hint: string;
  /** The most positional arguments it takes (file names, issue keys); default 0. */
  maxPositionals?: number;
}

export type CommandValues<O extends Record<string, OptionSpec>> = {
  [K in keyof O]?: O[K]['type'] extends 'string' ? string : boolean;
};

export type CommandLine<O extends Record<string, OptionSpec>> =
  { help: true } | { help: false; values: CommandValues<O>; positionals: string[] };

/**
 * Reads `argv` against `spec`; `--help` (and `-h`) always means the usage. Throws a
 * UsageError naming the option for what parseArgs' strict mode would refuse.
 */
export function readCommandLine<O extends Record<string, OptionSpec>>(
  spec: CommandSpec<O>,
  argv: string[],
): CommandLine<O> {
  const options = { ...spec.options, help: { type: 'boolean', short: 'h' } } as Record<string, OptionSpec>;
  const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  const values: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    if (token.kind !== 'option') continue;
    const option = options[token.name];
    if (option === undefined) throw new UsageError(`unknown option ${token.rawName}; ${spec.hint}`, token.rawName);
    if (option.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value`, token.rawName);
      values[token.name] = true;
    } else {
      // parseArgs takes the next argument as the value even when it is an option.
      if (token.value === undefined || (!token.inlineValue && token.value.startsWith('-')))
        throw new UsageError(`${token.rawName} needs a value`, token.rawName);
      values[token.name] = token.value;
    }
  }
  if (values.help === true) return { help: true };
  const max = spec.maxPositionals ?? 0;
  if (positionals.length > max) {
    const extra = positionals[max] as string;
    throw new UsageError(
      max === 0 ? `unexpected argument ${extra}; ${spec.hint}` : `too many arguments (${positionals.join(', ')})`,
      extra,
    );
  }
  return { help: false, values: values as CommandValues<O>, positionals };
}

/** True when `moduleUrl` (import.meta.url) is the file node was started with. */
export function isEntryPoint(moduleUrl: string): boolean {
  const started = process.argv[1];
  if (started === undefined) return false;
  const self = fileURLToPath(moduleUrl);
  if (started === self) return true;
  try {
    return realpathSync(started) === realpathSync(self);
  } catch {
    return false;
  }
}

/** Runs a command's main and exits with its code; a crash is one line on stderr and exit 1. */
export function runCommand(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${name} failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
