/**
 * The config-file object mapping the sample Jira's custom fields by display name (the
 * same shape as server/jira-sample/demoConfig.ts), for the integration tests.
 */
export const SAMPLE_MAPPING = {
  jira: {
    incidentJql: 'project = OPS AND issuetype = Incident',
    actionItemJql: 'labels = postmortem-action',
    fields: {
      severity: 'Severity',
      services: 'Affected services',
      startedAt: 'Impact start',
      detectedAt: 'Detected at',
      acknowledgedAt: null,
      endedAt: 'Impact end',
      detectionMethod: 'Detection method',
      commander: 'Incident commander',
    },
    severityMap: { 'SEV-1': 'P0', 'SEV-2': 'P1', 'SEV-3': 'P2', 'SEV-4': 'P3', 'SEV-5': 'P4' },
  },
};
