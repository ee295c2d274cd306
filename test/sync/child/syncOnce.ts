/**
 * One sync in a child process, for the SIGKILL test: JIRA_BASE_URL/JIRA_EMAIL/JIRA_API_TOKEN
 * point at a sample Jira the test runs (mapped by its demo config), DATA_DIR at the store. Prints one line per page
 * (`page incidents 2`) so the test knows when to kill it, and `done` at the end.
 */
import { parseConfigFileObject } from '../../../server/config/config.js';
import { EmbeddedStore } from '../../../server/store/embedded/EmbeddedStore.js';
import { createJiraSync } from '../../../server/sync/jiraSync.js';
import { demoConfig } from '../../../server/jira-sample/demoConfig.js';

const env = process.env;
const store = await EmbeddedStore.create(env.DATA_DIR as string);
const sync = createJiraSync({
  store,
  connection: { baseUrl: env.JIRA_BASE_URL as string, email: env.JIRA_EMAIL as string, apiToken: env.JIRA_API_TOKEN as string },
  mapping: parseConfigFileObject(demoConfig).mapping,
  timezone: 'UTC',
});
const run = await sync.run(new Date(), {
  onProgress: (p) => process.stdout.write(`page ${p.query} ${p.pages}\n`),
});
await store.close();
process.stdout.write(run.ok ? 'done\n' : `failed ${run.error}\n`);
process.exit(run.ok ? 0 : 1);
