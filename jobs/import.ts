/**
 * `npm run import -- FILE.md [--dry-run] [--json]`: imports a filled-in post-mortem and
 * creates the Jira tickets its action items still lack. `--dry-run` prints the parsed
 * document and the tickets it would create, and writes nothing.
 * Exit codes: 0 done, 1 the document or some rows failed (re-run to finish), 2 usage.
 */
import { readFile } from 'node:fs/promises';
import { assemble } from '../server/assembly/index.js';
import { isEntryPoint, readCommandLine, UsageError } from '../server/cli/commandLine.js';
import { ConfigError } from '../server/config/config.js';
import { DomainError } from '../server/errors.js';
import { hasFailures, importPostmortem, planImport, type ImportDeps } from '../server/tickets/importPostmortem.js';
import { formatDryRun, formatImport } from '../server/tickets/importReport.js';

export const USAGE = 'usage: npm run import -- FILE.md [--dry-run] [--json]';

const COMMAND = {
  options: { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } },
  hint: 'the options are --dry-run and --json',
  maxPositionals: Number.POSITIVE_INFINITY,
} as const;

export interface ImportCommandEnv {
  readFile(path: string): Promise<string>;
  /** Opens the store (and the Jira client, unless `dryRun`); `close` releases them. */
  open(options: { dryRun: boolean }): Promise<{ deps: ImportDeps; close(): Promise<void> }>;
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface ImportArgs {
  file: string;
  dryRun: boolean;
  json: boolean;
}

/** The arguments, `help` for --help, or what is wrong followed by the usage line. */
export function parseImportArgs(argv: string[]): ImportArgs | 'help' | string {
  let line;
  try {
    line = readCommandLine(COMMAND, argv);
  } catch (err) {
    if (err instanceof UsageError) return `${err.message}\n${USAGE}`;
    throw err;
  }
  if (line.help) return 'help';
  const [file, second] = line.positionals;
  if (file === undefined) return `no file given\n${USAGE}`;
  if (second !== undefined) return `one file at a time (got ${file} and ${second})\n${USAGE}`;
  return { file, dryRun: line.values['dry-run'] === true, json: line.values.json === true };
}

export async function runImportCommand(argv: string[], env: ImportCommandEnv): Promise<number> {
  const args = parseImportArgs(argv);
  if (args === 'help') {
    env.stdout(USAGE);
    return 0;
  }
  if (typeof args === 'string') {
    env.stderr(args);
    return 2;
  }
  let markdown: string;
  try {
    markdown = await env.readFile(args.file);
  } catch (error) {
    env.stderr(`cannot read ${args.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    return 2;
  }
  let opened: Awaited<ReturnType<ImportCommandEnv['open']>> | null = null;
  try {
    opened = await env.open({ dryRun: args.dryRun });
    if (args.dryRun) {
      const plan = await planImport(opened.deps, markdown);
      env.stdout(args.json ? JSON.stringify(plan, null, 2) : formatDryRun(plan));
      return 0;
    }
    const result = await importPostmortem(opened.deps, markdown);
    env.stdout(args.json ? JSON.stringify(result, null, 2) : formatImport(result));
    return hasFailures(result) ? 1 : 0;
  } catch (error) {
    // A PostmortemParseError lists every bad line and row; other domain errors say what to fix.
    if (error instanceof DomainError) {
      env.stderr(`${args.file}: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await opened?.close();
  }
}

/** The real environment: the assembled product's ticket flow (the configured store, Jira over jira.js). */
export function processEnv(env: NodeJS.ProcessEnv = process.env): ImportCommandEnv {
  return {
    readFile: (path) => readFile(path, 'utf8'),
    async open() {
      // Demo mode starts no sample Jira here: there is none to write tickets to outside npm start.
      const product = await assemble({ env, needs: { jira: false, digestWebhook: false }, storeWarnings: false });
      return { deps: product.services.tickets, close: () => product.close() };
    },
    stdout: (text) => process.stdout.write(`${text}\n`),
    stderr: (text) => process.stderr.write(`${text}\n`),
  };
}

async function main(): Promise<void> {
  try {
    process.exitCode = await runImportCommand(process.argv.slice(2), processEnv());
  } catch (error) {
    // Configuration and store problems are one line saying what to fix; nothing else should get here.
    if (error instanceof ConfigError) process.stderr.write(`Configuration error: ${error.message}\n`);
    else if (error instanceof DomainError) process.stderr.write(`${error.message}\n`);
    else process.stderr.write(`npm run import failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}

if (isEntryPoint(import.meta.url)) void main();
