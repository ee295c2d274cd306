/** `npm run demo:change`: what it says when it cannot work (the happy path runs in test/browser/live.test.ts). */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { demoChange } from '../../jobs/demoChange.js';
import { tempDir } from '../support/stores.js';

const dir = tempDir('pmi-demo-change-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  return demoChange([], { CONFIG_FILE: undefined, ...env }, { out: (l) => out.push(l), err: (l) => err.push(l) }).then(
    (code) => ({ code, out, err }),
  );
}

describe('npm run demo:change', () => {
  it('says to start the demo server when none is running', async () => {
    const result = await run({ DATA_DIR: join(dir, 'data') });
    expect(result.code).toBe(1);
    expect(result.err).toEqual([expect.stringMatching(/^No running demo server found .*start one with npm start/)]);
  });

  it('refuses to touch a real Jira', async () => {
    const result = await run({
      DATA_DIR: join(dir, 'data'),
      JIRA_BASE_URL: 'https://acme.atlassian.net',
      JIRA_EMAIL: 'sre@acme.com',
      JIRA_API_TOKEN: 'token',
    });
    expect(result.code).toBe(1);
    expect(result.err[0]).toContain('demo mode only');
  });
});
