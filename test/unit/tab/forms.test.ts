import { describe, it, expect } from '@jest/globals';
import { choiceProblem, tabSettings } from '../../../client/src/tab-settings.js';
import { validateActionItem } from '../../../client/src/validation.js';

describe('the channel tab settings', () => {
  const services = new Set(['api', 'web']);

  it('is valid only for a known window, severity and service', () => {
    expect(choiceProblem({ window: '90', service: null, severity: null }, services)).toBeNull();
    expect(choiceProblem({ window: '30', service: 'api', severity: 'P1' }, services)).toBeNull();
    expect(choiceProblem({ window: '7', service: null, severity: null }, services)).toMatch(/30, 90 or 180/);
    expect(choiceProblem({ window: '90', service: 'billing', severity: null }, services)).toMatch(
      /no service "billing"/,
    );
    expect(choiceProblem({ window: '90', service: null, severity: 'P7' }, services)).toMatch(/severity/);
  });

  it('saves a content URL that carries the filters, and a short entity id', () => {
    const settings = tabSettings(
      { window: '30', service: 'api gateway', severity: 'P1' },
      'https://insights.contoso.com',
    );
    expect(settings).toEqual({
      contentUrl: 'https://insights.contoso.com/tab?window=30&service=api+gateway&severity=P1',
      websiteUrl: 'https://insights.contoso.com/tab?window=30&service=api+gateway&severity=P1',
      entityId: 'postmortem-insights-api_gateway-P1-30d',
      suggestedDisplayName: 'Reliability: api gateway',
    });
    expect(
      tabSettings({ window: '90', service: 'x'.repeat(100), severity: null }, 'https://a.test').entityId,
    ).toHaveLength(64);
    expect(tabSettings({ window: '90', service: null, severity: null }, 'https://a.test').contentUrl).toBe(
      'https://a.test/tab',
    );
  });
});

describe('the new action item form', () => {
  const valid = { summary: 'Alert on queue depth', owner: '', dueDate: '', description: '' };

  it('accepts a summary alone', () => {
    expect(validateActionItem(valid)).toEqual({});
  });

  it('names each invalid field', () => {
    expect(validateActionItem({ ...valid, summary: '   ' })).toEqual({
      summary: 'Write a summary: what will be done.',
    });
    expect(validateActionItem({ ...valid, summary: 'x'.repeat(256) }).summary).toMatch(/255 characters \(it has 256\)/);
    expect(validateActionItem({ ...valid, dueDate: '2026-02-30' })).toEqual({
      dueDate: 'Use a real date like 2026-12-31.',
    });
    expect(validateActionItem({ ...valid, dueDate: '31/12/2026' }).dueDate).toBeDefined();
  });
});
