/** A post-mortem with every section present and nothing known yet. */
import type { IsoInstant, Postmortem } from './types.js';

export function emptyPostmortem(incidentKey: string, importedAt: IsoInstant): Postmortem {
  return {
    incidentKey,
    title: null,
    summary: {
      incidentId: null,
      startedAt: null,
      endedAt: null,
      durationSeconds: null,
      services: [],
      severity: null,
      impact: null,
      commander: null,
      responders: [],
    },
    detection: { method: null, timeToDetectSeconds: null, effective: null },
    timeline: [],
    timeToAcknowledgeSeconds: null,
    timeToResolveSeconds: null,
    rootCause: { immediateCause: null, contributingFactors: [], fiveWhys: [] },
    resolution: { how: null, effective: null },
    lessons: { wentWell: [], couldBeBetter: [] },
    actionItems: [],
    links: [],
    importedAt,
  };
}
