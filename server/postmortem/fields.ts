/**
 * The labelled values of a post-mortem → the properties of `Postmortem`: one small reader
 * per field kind (vocabulary.ts names the kinds). A value that cannot be read is reported
 * with its line and leaves the property as it was.
 */
import type { IsoDate, IsoInstant, Postmortem } from '../domain/types.js';
import type { LabelledValue } from './outline.js';
import type { ReportProblem } from './problems.js';
import { cleanText, parseDuration, parseMoment, parseSeverity, splitList } from './values.js';
import { fieldOf, type FieldKind } from './vocabulary.js';

export interface FieldContext {
  postmortem: Postmortem;
  /** Zone of times written without an offset. */
  zone: string;
  problem: ReportProblem;
  warnings: string[];
  /** Where the incident id and the end were written, for the checks after all fields are read. */
  lines: { incidentId: number | null; end: number };
}

type FieldReader = (value: LabelledValue, context: FieldContext) => void;

function duration(value: LabelledValue, what: string, context: FieldContext): number | null {
  const text = value.text || value.items.join(' ');
  const seconds = parseDuration(text);
  if (seconds === undefined) {
    context.problem(
      value.line,
      `${what} "${text}" is not a duration; write it like "2 hours 15 minutes", "2h15m" or "135 min"`,
    );
    return null;
  }
  return seconds;
}

function moment(
  text: string,
  line: number,
  what: string,
  context: FieldContext,
  baseDate: IsoDate | null = null,
): IsoInstant | null {
  const parsed = parseMoment(text, context.zone, baseDate);
  if (parsed === undefined) {
    context.problem(
      line,
      `${what} "${text.trim()}" is not a date and time; write it like "2026-11-03 14:05" (UTC) or "Nov 3, 2026 14:05"`,
    );
    return null;
  }
  return parsed?.instant ?? null;
}

function textValue(value: LabelledValue): string | null {
  return cleanText([value.text, ...value.items].filter(Boolean).join('; '));
}

function listValue(value: LabelledValue, separators: 'names' | 'prose' = 'prose'): string[] {
  return value.items.length > 0
    ? value.items
        .map((item) => cleanText(item.replace(/^\d+[.)]\s*/, '')))
        .filter((item): item is string => item !== null)
    : splitList(cleanText(value.text), separators);
}

/** `2026-11-03 14:05 - 16:20`: the start, and the end when the range gives one. */
function readDateRange(value: LabelledValue, context: FieldContext): void {
  const s = context.postmortem.summary;
  const text = value.text || value.items.join(' ');
  const parts = text.split(/\s+(?:-|–|—|to|until)\s+/);
  const start = moment(parts[0] ?? '', value.line, 'The start', context);
  if (start) s.startedAt = start;
  if (parts[1] === undefined) return;
  const end = moment(parts.slice(1).join(' - '), value.line, 'The end', context, start ? start.slice(0, 10) : null);
  if (end) {
    s.endedAt = end;
    context.lines.end = value.line;
  }
}

function readSeverity(value: LabelledValue, context: FieldContext): void {
  const severity = parseSeverity(value.text);
  if (severity === undefined)
    context.problem(
      value.line,
      `Severity "${value.text.trim()}" is not one of P0-P4 (SEV1 and "P1 - High" are read too)`,
    );
  else context.postmortem.summary.severity = severity;
}

const FIELD_READERS: Record<FieldKind, FieldReader> = {
  incidentId: (value, { postmortem, lines }) => {
    lines.incidentId = value.line;
    postmortem.summary.incidentId = textValue(value);
  },
  dateRange: readDateRange,
  startedAt: (value, context) => {
    const s = context.postmortem.summary;
    s.startedAt = moment(value.text, value.line, 'The start', context) ?? s.startedAt;
  },
  endedAt: (value, context) => {
    const s = context.postmortem.summary;
    s.endedAt = moment(value.text, value.line, 'The end', context, s.startedAt?.slice(0, 10) ?? null) ?? s.endedAt;
    context.lines.end = value.line;
  },
  duration: (value, context) => {
    context.postmortem.summary.durationSeconds = duration(value, 'The duration', context);
  },
  services: (value, { postmortem }) => {
    postmortem.summary.services = listValue(value, 'names');
  },
  severity: readSeverity,
  impact: (value, { postmortem }) => {
    postmortem.summary.impact = textValue(value);
  },
  commander: (value, { postmortem }) => {
    postmortem.summary.commander = textValue(value);
  },
  responders: (value, { postmortem }) => {
    postmortem.summary.responders = listValue(value, 'names');
  },
  detectionMethod: (value, { postmortem }) => {
    postmortem.detection.method = textValue(value);
  },
  timeToDetect: (value, context) => {
    context.postmortem.detection.timeToDetectSeconds = duration(value, 'Time to detect', context);
  },
  detectionEffective: (value, { postmortem }) => {
    postmortem.detection.effective = textValue(value);
  },
  timeToAcknowledge: (value, context) => {
    context.postmortem.timeToAcknowledgeSeconds = duration(value, 'Time to acknowledge', context);
  },
  timeToResolve: (value, context) => {
    context.postmortem.timeToResolveSeconds = duration(value, 'Time to resolve', context);
  },
  immediateCause: (value, { postmortem }) => {
    postmortem.rootCause.immediateCause = textValue(value);
  },
  contributingFactors: (value, { postmortem }) => {
    postmortem.rootCause.contributingFactors = listValue(value);
  },
  fiveWhys: (value, { postmortem }) => {
    postmortem.rootCause.fiveWhys = listValue(value);
  },
  resolutionHow: (value, { postmortem }) => {
    postmortem.resolution.how = textValue(value);
  },
  resolutionEffective: (value, { postmortem }) => {
    postmortem.resolution.effective = textValue(value);
  },
  wentWell: (value, { postmortem }) => {
    postmortem.lessons.wentWell = listValue(value);
  },
  couldBeBetter: (value, { postmortem }) => {
    postmortem.lessons.couldBeBetter = listValue(value);
  },
};

/**
 * Reads each labelled value into its property (a label that names no field is a warning,
 * outside the links section), then checks the start and end against each other.
 */
export function readFields(values: LabelledValue[], context: FieldContext): void {
  for (const value of values) {
    const field = fieldOf(value.label, value.section);
    if (field === null) {
      if (value.section !== 'links')
        context.warnings.push(`line ${value.line}: the label "${value.label}" is not a template field; ignored`);
      continue;
    }
    FIELD_READERS[field](value, context);
  }
  const s = context.postmortem.summary;
  if (s.startedAt && s.endedAt && s.endedAt < s.startedAt) {
    context.problem(context.lines.end, `The end (${s.endedAt}) is before the start (${s.startedAt})`);
  }
}
