/**
 * `npm run digest -- [--dry-run] [--week 2026-W47] [--force] [--mark-posted]`: the
 * arguments, and the lines the command prints. The runner is jobs/digest.ts.
 */
import { readCommandLine } from '../cli/commandLine.js';
import { InputError } from '../errors.js';
import type { DigestRunOptions, DigestRunResult } from './run.js';
import { parseWeek } from './weeks.js';

export const DIGEST_USAGE = `Usage: npm run digest -- [options]

Builds the weekly reliability digest for the last complete ISO week (in TIMEZONE) and
posts it to TEAMS_WEBHOOK_URL. The post is recorded, so the schedule will not post the
same week again.

  --dry-run          print the card JSON; claim and post nothing
  --week 2026-W47    the week to post (settles an "uncertain" week by posting it)
  --mark-posted      with --week: record the week as posted without sending anything
                     (you checked the channel and the card is there)
  --force            with --week: post even if the week is already recorded as posted
  --help             this text`;

export interface DigestCliArgs extends DigestRunOptions {
  help: boolean;
}

const COMMAND = {
  options: {
    'dry-run': { type: 'boolean' },
    week: { type: 'string' },
    force: { type: 'boolean' },
    'mark-posted': { type: 'boolean' },
  },
  hint: 'accepted: --dry-run, --week 2026-W47, --mark-posted, --force, --help',
} as const;

export function parseDigestArgs(argv: string[]): DigestCliArgs {
  const line = readCommandLine(COMMAND, argv);
  if (line.help) return { help: true, manual: true };
  const { values } = line;
  const args: DigestCliArgs = { help: false, manual: true };
  if (values['dry-run']) args.dryRun = true;
  if (values.force) args.force = true;
  if (values['mark-posted']) args.markPosted = true;
  if (values.week !== undefined) args.week = parseWeek(values.week, '--week');
  if ((args.markPosted || args.force) && args.week === undefined) {
    throw new InputError(
      `${args.markPosted ? '--mark-posted' : '--force'} needs --week, naming the week it is about`,
      args.markPosted ? '--mark-posted' : '--force',
    );
  }
  if (args.markPosted && args.force) {
    throw new InputError(
      '--mark-posted and --force contradict each other: one records without sending, the other sends again',
      '--mark-posted',
    );
  }
  if (args.dryRun && (args.markPosted || args.force)) {
    throw new InputError(
      '--dry-run changes nothing, so it cannot be combined with --mark-posted or --force',
      '--dry-run',
    );
  }
  return args;
}

/** One line per week, for the terminal. */
export function describeRun(result: DigestRunResult): string[] {
  if (result.weeks.length === 0) return ['digest: nothing to do'];
  return result.weeks.map(
    (week) => `digest ${week.week}: ${week.action}${week.state ? ` (state ${week.state})` : ''}: ${week.reason}`,
  );
}

/** 0 when every week ended posted or was rightly left alone; 1 when a post failed or a week is uncertain. */
export function exitCodeOf(result: DigestRunResult): number {
  return result.weeks.some((w) => w.action === 'failed' || w.state === 'uncertain') ? 1 : 0;
}
