/**
 * What the words of a post-mortem mean: which section a heading opens, which field a label
 * names, which column of a table holds what. Matching is by meaning, not exact wording:
 * real documents renumber and reword headings, drop the bold and add or reorder columns.
 */

export type SectionKind =
  'summary' | 'detection' | 'timeline' | 'rootCause' | 'resolution' | 'lessons' | 'actionItems' | 'links';

const SECTION_PATTERNS: Array<[SectionKind, RegExp]> = [
  ['actionItems', /\baction|follow[- ]?ups?\b|next steps|\btasks?\b|\btodos?\b/],
  ['timeline', /timeline|chronolog|sequence of events|response/],
  ['rootCause', /root cause|cause analysis|\brca\b|five whys|5 whys|why did/],
  ['detection', /detect/],
  ['resolution', /resolution|remediation|mitigation|recovery|how (?:it|we) (?:was )?fixed/],
  ['lessons', /lesson|learn|retrospective|went well|takeaways/],
  ['links', /support|links?\b|references?|resources|appendix|related/],
  ['summary', /summary|overview|incident details|about the incident/],
];

export type FieldKind =
  | 'incidentId'
  | 'dateRange'
  | 'startedAt'
  | 'endedAt'
  | 'duration'
  | 'services'
  | 'severity'
  | 'impact'
  | 'commander'
  | 'responders'
  | 'detectionMethod'
  | 'timeToDetect'
  | 'detectionEffective'
  | 'timeToAcknowledge'
  | 'timeToResolve'
  | 'immediateCause'
  | 'contributingFactors'
  | 'fiveWhys'
  | 'resolutionHow'
  | 'resolutionEffective'
  | 'wentWell'
  | 'couldBeBetter';

/** Label meaning, most specific first ("time to detect" before "how was it detected"). */
const FIELD_PATTERNS: Array<[FieldKind, RegExp, SectionKind[]?]> = [
  ['timeToDetect', /time to detect|\bmttd\b|\bttd\b|detection time/],
  ['timeToAcknowledge', /time to ack|\bmtta\b|\btta\b|acknowledg(?:e|ement) time/],
  ['timeToResolve', /time to (?:resolve|resolution|recover|restore|mitigate)|\bmttr\b|\bttr\b|resolution time/],
  ['detectionEffective', /detection.*effective|effective.*detect/],
  ['resolutionEffective', /resolution.*effective|effective.*resol|fix.*effective/],
  ['detectionEffective', /effective/, ['detection']],
  ['resolutionEffective', /effective/, ['resolution']],
  ['incidentId', /incident (?:id|key|number|#|no)|^(?:id|key|jira(?: key| issue)?|ticket)$/],
  ['duration', /duration|how long|total time/],
  ['startedAt', /^(?:start(?:ed)?|began|start time|started at|impact start)\b/],
  ['endedAt', /^(?:end(?:ed)?|end time|ended at|impact end|resolved at)\b/],
  ['dateRange', /\bdate\b|\bwhen\b|^time\b|time window|period/],
  ['services', /service|component|systems? affected|affected systems?/],
  ['severity', /severity|priority|^sev\b/],
  ['impact', /impact/],
  ['commander', /commander|incident (?:lead|manager|owner)|^ic$/],
  ['responders', /responder|participant|involved|people|teams?$/],
  ['detectionMethod', /detect/],
  ['fiveWhys', /\bwhys?\b|fishbone/],
  ['contributingFactors', /contribut|factors/],
  ['immediateCause', /cause|trigger/],
  ['resolutionHow', /resolv|resolution|remediat|mitigat|fix/],
  ['wentWell', /went well|what worked|positives?|good/],
  ['couldBeBetter', /better|improve|went (?:wrong|poorly|badly)|didn.?t go well|could have gone/],
];

/** A heading, label or column name without its numbering and emphasis, lower case. */
export function normaliseHeading(text: string): string {
  return text
    .toLowerCase()
    .replace(/^\s*(?:section\s+)?(?:\d+(?:\.\d+)*|[ivx]+)[.):-]?\s+/, '')
    .replace(/[*_`:]/g, '')
    .trim();
}

export function sectionOf(text: string): SectionKind | null {
  const normal = normaliseHeading(text);
  return SECTION_PATTERNS.find(([, pattern]) => pattern.test(normal))?.[0] ?? null;
}

export function fieldOf(label: string, section: SectionKind | null): FieldKind | null {
  const normal = normaliseHeading(label).replace(/[?()]/g, ' ').replace(/\s+/g, ' ').trim();
  for (const [field, pattern, sections] of FIELD_PATTERNS) {
    if (sections && (!section || !sections.includes(section))) continue;
    if (pattern.test(normal)) return field;
  }
  return null;
}

export interface ColumnRule<K extends string> {
  kind: K;
  pattern: RegExp;
}

export type TimelineColumn = 'at' | 'event' | 'owner';
export type ActionColumn = 'jiraKey' | 'ref' | 'description' | 'owner' | 'dueDate' | 'status';

export const TIMELINE_COLUMNS: Array<ColumnRule<TimelineColumn>> = [
  { kind: 'at', pattern: /time|when|date|^at$/ },
  { kind: 'owner', pattern: /owner|who|\bby\b|actor|person|responder/ },
  { kind: 'event', pattern: /event|description|action|what|details?|activity|note/ },
];

export const ACTION_COLUMNS: Array<ColumnRule<ActionColumn>> = [
  { kind: 'jiraKey', pattern: /jira|ticket|issue/ },
  { kind: 'dueDate', pattern: /due|deadline|target|eta|by when|date/ },
  { kind: 'owner', pattern: /owner|assignee|responsible|who|assigned/ },
  { kind: 'status', pattern: /status|state|progress/ },
  { kind: 'ref', pattern: /^(?:id|#|no\.?|number|ref|reference|key|item id|action id)$|\bid\b/ },
  { kind: 'description', pattern: /desc|action|task|summary|what|item|title/ },
];
