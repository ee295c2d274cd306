/**
 * Runs the sample Jira on its own: `tsx server/jira-sample/cli.ts --port 4100
 * [--latency 20] [--incidents 10000 --action-items 50000] [--time-zone Europe/Berlin]`.
 */
import { isEntryPoint, readCommandLine, USAGE_EXIT_CODE, UsageError } from '../cli/commandLine.js';
import { startSampleJira } from './index.js';

const USAGE = `Usage: tsx server/jira-sample/cli.ts [options]

Runs the sample Jira on its own (Jira Cloud's REST API over generated data).

  --port 4100            where to listen (default 4100; 0 picks a free port)
  --host 127.0.0.1       the address to listen on
  --latency 0            milliseconds added to every answer
  --incidents N          seed N incidents (default 180) ...
  --action-items N       ... and N action items (default 640)
  --seed N               the generator's seed
  --time-zone ZONE       the API user's time zone
  --help                 this text`;

const COMMAND = {
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    latency: { type: 'string' },
    incidents: { type: 'string' },
    'action-items': { type: 'string' },
    seed: { type: 'string' },
    'time-zone': { type: 'string' },
  },
  hint: 'see --help',
} as const;

const say = (line: string): boolean => process.stdout.write(`${line}\n`);

/** A whole number, or a UsageError naming the option. */
function count(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new UsageError(`--${name} must be a whole number, got "${raw}"`);
  return value;
}

async function main(argv: string[]): Promise<void> {
  const line = readCommandLine(COMMAND, argv);
  if (line.help) {
    say(USAGE);
    return;
  }
  const { values } = line;
  const incidents = count('incidents', values.incidents);
  const actionItems = count('action-items', values['action-items']);
  const seedNumber = count('seed', values.seed);
  const jira = await startSampleJira({
    port: count('port', values.port) ?? 4100,
    host: values.host ?? '127.0.0.1',
    latencyMs: count('latency', values.latency) ?? 0,
    ...(values['time-zone'] ? { timeZone: values['time-zone'] } : {}),
    ...(incidents !== undefined || actionItems !== undefined
      ? {
          seed: {
            incidents: incidents ?? 180,
            actionItems: actionItems ?? 640,
            ...(seedNumber !== undefined ? { seed: seedNumber } : {}),
          },
        }
      : {}),
  });

  say(`Sample Jira listening at ${jira.url}`);
  say(`  email:     ${jira.email}`);
  say(`  api token: ${jira.apiToken}`);
  say(`  issues:    ${jira.data.count()} (seeded in ${Math.round(jira.seedMs)} ms), user time zone ${jira.timeZone}`);
  say(`  try: curl -u ${jira.email}:${jira.apiToken} '${jira.url}/rest/api/3/myself'`);

  const stop = (): void => {
    void jira.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (isEntryPoint(import.meta.url)) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(err instanceof UsageError ? USAGE_EXIT_CODE : 1);
  });
}
