/**
 * The config-file object (the shape of the README's config file table) that maps the sample Jira's custom fields by
 * their display names. Demo mode and tests use it; `fields` names resolve through
 * `GET /rest/api/3/field`, as they would on a real site.
 */
export const demoConfig = {
  jira: {
    incidentJql: 'project = OPS AND issuetype = Incident',
    actionItemJql: 'labels = postmortem-action',
    actionItemProject: 'REL',
    actionItemIssueType: 'Task',
    actionItemLabel: 'postmortem-action',
    fields: {
      severity: 'Severity',
      services: 'Affected services',
      startedAt: 'Impact start',
      detectedAt: 'Detected at',
      // No field for it: acknowledgement comes from the first status move out of To Do.
      acknowledgedAt: null,
      endedAt: 'Impact end',
      detectionMethod: 'Detection method',
      commander: 'Incident commander',
    },
    // "Sev 2 (legacy)" is left out on purpose: an unmapped value must count as unknown.
    severityMap: { 'SEV-1': 'P0', 'SEV-2': 'P1', 'SEV-3': 'P2', 'SEV-4': 'P3', 'SEV-5': 'P4' },
    detectionMap: {
      'Monitoring alert': 'automated',
      'Automated alert': 'automated',
      'Customer report': 'customer',
      'Support ticket': 'customer',
      'Internal report': 'internal',
    },
  },
  actionItemSlaDays: { P0: 15, P1: 15, P2: 30, P3: 60, P4: 60 },
} as const;

export type DemoConfig = typeof demoConfig;
