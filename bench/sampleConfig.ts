/**
 * The config file that maps the sample Jira's fields (its custom fields and SEV-n severity
 * values), as a user of that site would write it. The benchmark syncs with it so every
 * mapped field is read, not only Jira's defaults.
 */
export const SAMPLE_JIRA_CONFIG_FILE = {
  jira: {
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
