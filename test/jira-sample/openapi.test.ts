/**
 * Every route's answers (and the requests it accepts) checked against Atlassian's published
 * OpenAPI document (the paths the product uses, in test/fixtures/schemas/; see the README there).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { startSampleJira } from '../../server/jira-sample/index.js';
import type { SampleJira } from '../../server/jira-sample/index.js';
import { adf, client } from './helpers.js';
import type { Json } from './helpers.js';

const OPENAPI_PATH = new URL('../fixtures/schemas/jira-cloud-platform.openapi.json', import.meta.url);
const BASE = 'https://jira.openapi.local/schema.json';
const openapi = JSON.parse(readFileSync(OPENAPI_PATH, 'utf8')) as {
  paths: Record<string, Record<string, { requestBody?: Json; responses: Record<string, Json> }>>;
  components: { schemas: Record<string, unknown> };
};

// Jira Cloud sends null for an empty side of a change item (jira.js 6.2 models from/to/fromString/toString as
// nullish); the published ChangeDetails declares plain strings. This is the one place the test follows Jira
// over the document, and it is limited to those four properties.
const changeDetails = openapi.components.schemas.ChangeDetails as {
  properties: Record<string, Record<string, unknown>>;
};
for (const side of ['from', 'fromString', 'to', 'toString']) {
  const property = changeDetails.properties[side];
  if (property) property.nullable = true;
}

// OpenAPI 3.0 keywords (nullable, readOnly, xml, example, discriminator) are not JSON Schema: strict off; ajv knows `nullable`.
const ajv = new Ajv({ strict: false, allErrors: true });
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
(addFormats as unknown as (a: Ajv) => void)(ajv);
ajv.addSchema({ $id: BASE, components: openapi.components });

const compiled = new Map<string, ValidateFunction>();
function validatorFor(schema: unknown): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    // Component refs in the document are '#/components/...': rebase them onto the registered document.
    const rebased = JSON.parse(key.replaceAll('"#/components/', `"${BASE}#/components/`));
    validate = ajv.compile(rebased);
    compiled.set(key, validate);
  }
  return validate;
}

const component = (name: string) => ({ $ref: `#/components/schemas/${name}` });

function responseSchema(path: string, method: string, status: number): unknown {
  const operation = openapi.paths[path]?.[method.toLowerCase()];
  if (!operation) throw new Error(`${method} ${path} is not in the OpenAPI document`);
  const response = operation.responses[String(status)];
  if (!response) throw new Error(`${method} ${path} has no documented ${status} response`);
  return response.content?.['application/json']?.schema ?? {};
}

function requestSchema(path: string, method: string): unknown {
  const schema = openapi.paths[path]?.[method.toLowerCase()]?.requestBody?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`${method} ${path} documents no JSON request body`);
  return schema;
}

function expectValid(schema: unknown, value: unknown, label: string): void {
  const validate = validatorFor(schema);
  const ok = validate(value);
  if (!ok)
    throw new Error(
      `${label} does not match the published schema: ${ajv.errorsText(validate.errors, { separator: '\n' })}`,
    );
  expect(ok).toBe(true);
}

/** IssueBean.fields is an open map in the document; check the well-known field values against their own schemas. */
function expectValidFields(fields: Record<string, Json>, label: string): void {
  const bySchema: Record<string, string> = {
    status: 'StatusDetails',
    issuetype: 'IssueTypeDetails',
    priority: 'Priority',
    assignee: 'UserDetails',
    reporter: 'UserDetails',
    project: 'ProjectDetails',
    resolution: 'Resolution',
    customfield_10046: 'UserDetails',
  };
  for (const [field, name] of Object.entries(bySchema)) {
    if (fields[field] !== undefined && fields[field] !== null)
      expectValid(component(name), fields[field], `${label}.${field}`);
  }
  // IssueLink in the document requires both sides (it is the shape of GET /issueLink/{id}); inside an issue Jira
  // names only the other issue, so the parts are checked instead.
  for (const link of fields.issuelinks ?? []) {
    expectValid(component('IssueLinkType'), link.type, `${label}.issuelinks.type`);
    expectValid(component('LinkedIssue'), link.inwardIssue ?? link.outwardIssue, `${label}.issuelinks.issue`);
    expect(Boolean(link.inwardIssue) !== Boolean(link.outwardIssue)).toBe(true);
  }
  if (fields.parent) expectValid(component('LinkedIssue'), fields.parent, `${label}.parent`);
  for (const sub of fields.subtasks ?? []) expectValid(component('LinkedIssue'), sub, `${label}.subtasks`);
  // Option values carry { self, value, id } as Jira Cloud sends them; the document's CustomFieldOption omits id.
  for (const opt of [fields.customfield_10040, fields.customfield_10045, ...(fields.customfield_10041 ?? [])]) {
    if (opt) expect(Object.keys(opt).sort()).toEqual(['id', 'self', 'value']);
  }
}

let jira: SampleJira;
let api: ReturnType<typeof client>;
let longKey: string;

beforeAll(async () => {
  jira = await startSampleJira({ now: new Date('2026-11-27T03:00:00Z') });
  api = client(jira);
  longKey = jira.data.store.issues.find((i) => i.histories.length > 45)?.key ?? '';
});
afterAll(async () => {
  await jira.close();
});

describe('responses match the published OpenAPI schemas', () => {
  it('POST and GET /rest/api/3/search/jql, with every field, changelog, names and schema', async () => {
    const body = {
      jql: 'project in (OPS, REL) ORDER BY updated DESC',
      fields: ['*all'],
      expand: 'changelog,names,schema',
      maxResults: 100,
    };
    expectValid(requestSchema('/rest/api/3/search/jql', 'POST'), body, 'search request');
    const { pages } = await api.searchAll(body);
    for (const page of pages) {
      expectValid(responseSchema('/rest/api/3/search/jql', 'POST', 200), page, 'search page');
      for (const issue of page.issues) expectValidFields(issue.fields, issue.key);
    }
    const viaGet = await api.get(
      `/rest/api/3/search/jql?jql=${encodeURIComponent('issuetype = Incident')}&fields=*all&expand=changelog`,
    );
    expectValid(responseSchema('/rest/api/3/search/jql', 'GET', 200), viaGet.body, 'GET search');
  }, 120_000);

  it('GET /rest/api/3/field, /myself, /issueLinkType, /user/search', async () => {
    expectValid(responseSchema('/rest/api/3/field', 'GET', 200), (await api.get('/rest/api/3/field')).body, 'field');
    expectValid(responseSchema('/rest/api/3/myself', 'GET', 200), (await api.get('/rest/api/3/myself')).body, 'myself');
    expectValid(
      responseSchema('/rest/api/3/issueLinkType', 'GET', 200),
      (await api.get('/rest/api/3/issueLinkType')).body,
      'issueLinkType',
    );
    const users = await api.get('/rest/api/3/user/search?query=a');
    expect(users.body.length).toBeGreaterThan(0);
    expectValid(responseSchema('/rest/api/3/user/search', 'GET', 200), users.body, 'user search');
  });

  it('GET /rest/api/3/issue/{key} with changelog, and its changelog pages', async () => {
    const issue = await api.get(`/rest/api/3/issue/${longKey}?expand=changelog,names,schema`);
    expectValid(responseSchema('/rest/api/3/issue/{issueIdOrKey}', 'GET', 200), issue.body, 'issue');
    expectValidFields(issue.body.fields, longKey);
    const page = await api.get(`/rest/api/3/issue/${longKey}/changelog?maxResults=20`);
    expectValid(responseSchema('/rest/api/3/issue/{issueIdOrKey}/changelog', 'GET', 200), page.body, 'changelog page');
  });

  it('POST /rest/api/3/changelog/bulkfetch', async () => {
    const body = { issueIdsOrKeys: jira.data.keys().slice(0, 50), maxResults: 100 };
    expectValid(requestSchema('/rest/api/3/changelog/bulkfetch', 'POST'), body, 'bulkfetch request');
    const page = await api.post('/rest/api/3/changelog/bulkfetch', body);
    expectValid(responseSchema('/rest/api/3/changelog/bulkfetch', 'POST', 200), page.body, 'bulkfetch');
  });

  it('POST /rest/api/3/issue and /issue/bulk, both success and error bodies', async () => {
    const body = {
      fields: {
        project: { key: 'REL' },
        issuetype: { name: 'Task' },
        summary: 'Schema check',
        description: adf('x'),
        labels: ['postmortem-action'],
      },
      properties: [{ key: 'pm.import', value: { id: '1' } }],
    };
    expectValid(requestSchema('/rest/api/3/issue', 'POST'), body, 'create request');
    const created = await api.post('/rest/api/3/issue', body);
    expect(created.status).toBe(201);
    expectValid(responseSchema('/rest/api/3/issue', 'POST', 201), created.body, 'created');
    const refused = await api.post('/rest/api/3/issue', { fields: { summary: 'no project' } });
    expectValid(responseSchema('/rest/api/3/issue', 'POST', 400), refused.body, 'create error');
    const bulkBody = { issueUpdates: [body, { fields: { summary: 'bad' } }] };
    expectValid(requestSchema('/rest/api/3/issue/bulk', 'POST'), bulkBody, 'bulk request');
    const bulk = await api.post('/rest/api/3/issue/bulk', bulkBody);
    expectValid(responseSchema('/rest/api/3/issue/bulk', 'POST', 201), bulk.body, 'bulk created');
  });

  it('POST /rest/api/3/issueLink and issue properties', async () => {
    const body = { type: { name: 'Relates' }, inwardIssue: { key: 'REL-1' }, outwardIssue: { key: 'OPS-1' } };
    expectValid(requestSchema('/rest/api/3/issueLink', 'POST'), body, 'link request');
    const linked = await api.post('/rest/api/3/issueLink', body);
    expect(linked.status).toBe(201);
    await api.put('/rest/api/3/issue/OPS-1/properties/pm.check', { a: 1 });
    const property = await api.get('/rest/api/3/issue/OPS-1/properties/pm.check');
    expectValid(
      responseSchema('/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}', 'GET', 200),
      property.body,
      'property',
    );
  });

  it('error bodies (400, 401, 404, 429) are ErrorCollections', async () => {
    const errorCollection = component('ErrorCollection');
    expectValid(errorCollection, (await api.post('/rest/api/3/search/jql', { jql: 'nope = 1' })).body, '400');
    expectValid(
      errorCollection,
      (await client(jira, { email: 'demo@example.com', apiToken: 'x' }).get('/rest/api/3/myself')).body,
      '401',
    );
    expectValid(errorCollection, (await api.get('/rest/api/3/issue/OPS-99999')).body, '404');
    jira.injectFaults([{ status: 429, times: 1, retryAfterSeconds: 0 }]);
    expectValid(errorCollection, (await api.get('/rest/api/3/myself')).body, '429');
  });
});

describe('requests: what the schema refuses, the server refuses', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['an unknown property', { jql: 'project = OPS', startAt: 10 }],
    ['expand as an array', { jql: 'project = OPS', expand: ['changelog'] }],
    ['fields as a string', { jql: 'project = OPS', fields: 'summary' }],
    ['maxResults as text', { jql: 'project = OPS', maxResults: 'ten' }],
  ];
  it.each(cases)('search body with %s', async (_label, body) => {
    const schemaOk = validatorFor(requestSchema('/rest/api/3/search/jql', 'POST'))(body);
    const response = await api.post('/rest/api/3/search/jql', body);
    expect(schemaOk).toBe(false);
    expect(response.status).toBe(400);
  });

  it('bulkfetch with more than 10 field ids', async () => {
    const body = { issueIdsOrKeys: ['OPS-1'], fieldIds: Array.from({ length: 11 }, (_v, i) => `f${i}`) };
    expect(validatorFor(requestSchema('/rest/api/3/changelog/bulkfetch', 'POST'))(body)).toBe(false);
    expect((await api.post('/rest/api/3/changelog/bulkfetch', body)).status).toBe(400);
  });

  it('issueLink without a type', async () => {
    const body = { inwardIssue: { key: 'REL-1' }, outwardIssue: { key: 'OPS-1' } };
    expect(validatorFor(requestSchema('/rest/api/3/issueLink', 'POST'))(body)).toBe(false);
    expect((await api.post('/rest/api/3/issueLink', body)).status).toBe(400);
  });
});
