import { spawn } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { startSampleJira } from '../server/jira-sample/index.js';
const n = Number(process.argv[2] ?? 1000);
const t0 = performance.now();
const jira = await startSampleJira({ seed: { incidents: n, actionItems: n * 5, seed: 1 }, latencyMs: 20 });
console.log('seed', jira.seedMs, 'total', performance.now() - t0, 'rss', process.memoryUsage().rss / 1e6);
const dir = mkdtempSync('/tmp/pmi-bench-');
writeFileSync(dir + '/config.json', JSON.stringify({ jira: { fields: { severity: 'Severity', services: 'Affected services', startedAt: 'Impact start', detectedAt: 'Detected at', endedAt: 'Impact end', detectionMethod: 'Detection method', commander: 'Incident commander' }, severityMap: { 'SEV-1': 'P0', 'SEV-2': 'P1', 'SEV-3': 'P2', 'SEV-4': 'P3', 'SEV-5': 'P4' } } }));
for (const round of [1, 2]) {
  jira.resetStats();
  const t = performance.now();
  const out = await new Promise<string>((resolve) => {
    const c = spawn(process.execPath, ['--import', 'tsx', '/work/wt/bench/bench/syncChild.ts'], { env: { ...process.env, JIRA_BASE_URL: jira.url, JIRA_EMAIL: jira.email, JIRA_API_TOKEN: jira.apiToken, DATA_DIR: dir + '/data', CONFIG_FILE: dir + '/config.json', LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] });
    let s = ''; c.stdout.on('data', (d) => (s += d)); c.on('exit', () => resolve(s));
  });
  console.log(round, performance.now() - t, out, jira.stats());
}
await jira.close();
