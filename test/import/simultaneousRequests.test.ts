/**
 * Exactly once through the real route: eight simultaneous
 * `POST /api/incidents/:key/action-items` for one item, against the sample Jira answering
 * every request 250 ms late, create one ticket. Every answer is that ticket (201, a
 * replay marked `Idempotent-Replayed: true`) or a 409 that names who is creating it.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { demoConfig } from '../../server/jira-sample/demoConfig.js';
import { startSampleJira, type SampleJira } from '../../server/jira-sample/index.js';
import { testApp, type TestApp } from '../support/app.js';
import { tempDir } from '../support/stores.js';
import { jiraIncident } from './doubles.js';

const SIMULTANEOUS = 8;

let sample: SampleJira;
let app: TestApp;
let incidentKey: string;
const configDir = tempDir('pmi-simultaneous-');

beforeAll(async () => {
  sample = await startSampleJira({ seed: 'empty', latencyMs: 250 });
  // The sample Jira's own field mapping, as a config file.
  writeFileSync(join(configDir, 'config.json'), JSON.stringify(demoConfig));
});
afterAll(async () => {
  await sample.close();
  rmSync(configDir, { recursive: true, force: true });
});

beforeEach(async () => {
  incidentKey = sample.data.addIssue({ projectKey: 'OPS', issueType: 'Incident', summary: 'Checkout API outage' });
  app = await testApp({
    JIRA_BASE_URL: sample.url,
    JIRA_EMAIL: sample.email,
    JIRA_API_TOKEN: sample.apiToken,
    CONFIG_FILE: join(configDir, 'config.json'),
  });
  await app.store.upsertIncidents([jiraIncident(incidentKey, { url: `${sample.url}/browse/${incidentKey}` })]);
});
afterEach(async () => {
  await app.close();
});

/** The action-item tickets in the sample Jira with this summary. */
function ticketsNamed(summary: string): string[] {
  return sample.data
    .keys()
    .filter((key) => (sample.data.issue(key)!.fields as { summary: string }).summary === summary);
}

async function simultaneously(summary: string, idempotencyKey: string | null) {
  const send = () => {
    const post = request(app.app)
      .post(`/api/incidents/${incidentKey}/action-items`)
      .send({ summary, owner: 'Priya Sharma' });
    return idempotencyKey === null ? post : post.set('Idempotency-Key', idempotencyKey);
  };
  return Promise.all(Array.from({ length: SIMULTANEOUS }, send));
}

function expectOneTicket(responses: Awaited<ReturnType<typeof simultaneously>>, summary: string): void {
  const tickets = ticketsNamed(summary);
  expect(tickets).toHaveLength(1);
  const created = responses.filter((r) => r.status === 201);
  expect(created.length).toBeGreaterThanOrEqual(1);
  for (const response of created) expect(response.body.key).toBe(tickets[0]);
  // Exactly one answer is the create itself; any other 201 is a replay of it.
  expect(created.filter((r) => r.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
  for (const response of responses.filter((r) => r.status !== 201)) {
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('conflict');
    expect(response.body.error.message).toMatch(
      /is being created by another request \(the ticket:.+ lease is held by .+\/\d+\/[0-9a-f-]{36} until \d{4}-.+Z \(in \d+ s\)\)/,
    );
  }
}

describe('simultaneous requests for one action item', () => {
  it('with one Idempotency-Key create exactly one ticket', async () => {
    const summary = 'Add a circuit breaker to the payment client';
    const responses = await simultaneously(summary, 'click-7f3a');
    expectOneTicket(responses, summary);
    // Asked again afterwards: the same ticket, replayed.
    const again = await request(app.app)
      .post(`/api/incidents/${incidentKey}/action-items`)
      .set('Idempotency-Key', 'click-7f3a')
      .send({ summary });
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.key).toBe(ticketsNamed(summary)[0]);
  }, 60_000);

  it('with the same summary and no key create exactly one ticket', async () => {
    const summary = 'Alert on checkout retry storms';
    const responses = await simultaneously(summary, null);
    expectOneTicket(responses, summary);
  }, 60_000);
});
