/**
 * Runs the sample Jira on its own: `tsx server/jira-sample/cli.ts --port 4100
 * [--latency 20] [--incidents 10000 --action-items 50000] [--time-zone Europe/Berlin]`.
 */
import { parseArgs } from 'node:util';
import { startSampleJira } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4100' },
    host: { type: 'string', default: '127.0.0.1' },
    latency: { type: 'string', default: '0' },
    incidents: { type: 'string' },
    'action-items': { type: 'string' },
    seed: { type: 'string' },
    'time-zone': { type: 'string' },
  },
});

function count(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    process.stderr.write(`--${name} must be a whole number, got "${raw}"\n`);
    process.exit(2);
  }
  return value;
}

const say = (line: string): boolean => process.stdout.write(`${line}\n`);

const port = count('port', values.port) ?? 4100;
const incidents = count('incidents', values.incidents);
const actionItems = count('action-items', values['action-items']);
const seedNumber = count('seed', values.seed);
const jira = await startSampleJira({
  port,
  host: values.host,
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
